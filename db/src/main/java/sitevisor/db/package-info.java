/**
 * The history store: every event of every site, kept in an embedded H2 database under
 * {@code home/db}. {@link sitevisor.db.History} is the whole API the daemon uses: append (never
 * blocks), await the commit (group commit, durable on kill -9), query newest first, health, close.
 */
package sitevisor.db;
