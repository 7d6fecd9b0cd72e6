-- The history: one row per event. Every statement may run again after a crash half-way through
-- this script (H2 commits each CREATE on its own), hence IF NOT EXISTS throughout.
-- Widths match HistoryEvent's *_MAX_LENGTH, to which texts are cut before they are written;
-- VARCHAR stores only the characters present, so a wide column costs nothing.
CREATE TABLE IF NOT EXISTS events (
    id              BIGINT          NOT NULL PRIMARY KEY,  -- given by the writer, growing in write order
    at_millis       BIGINT          NOT NULL,              -- UTC epoch milliseconds
    site            VARCHAR(200)    NOT NULL,              -- '' for the daemon itself
    instance        INT             NOT NULL,
    pid             BIGINT          NOT NULL,              -- 0 none
    kind            VARCHAR(32)     NOT NULL,
    from_state      VARCHAR(32)     NOT NULL,              -- '' none
    to_state        VARCHAR(32)     NOT NULL,              -- '' none
    exit_code       INT             NOT NULL,              -- -1 none
    signal          INT             NOT NULL,              -- 0 none
    reason          VARCHAR(4000)   NOT NULL,
    actor           VARCHAR(1000)   NOT NULL,
    duration_millis BIGINT          NOT NULL,              -- -1 none
    details         VARCHAR(100000) NOT NULL               -- '' none
);

-- One site, newest first, with or without a time range. H2 reads in index order only when the
-- ORDER BY starts with the index's leading column, so queries say ORDER BY site DESC, at_millis DESC, id DESC.
CREATE INDEX IF NOT EXISTS events_site_time ON events (site, at_millis, id);

-- Every site, newest first, with or without a time range; and pruning by age.
CREATE INDEX IF NOT EXISTS events_time ON events (at_millis, id);
