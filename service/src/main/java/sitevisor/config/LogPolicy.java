package sitevisor.config;

/**
 * How a site's stdout and stderr are kept.
 *
 * @param maxSizeBytes a log file is rotated once it grows past this
 * @param backups      how many rotated files are kept ({@code site.log.1} is the newest)
 */
public record LogPolicy(long maxSizeBytes, int backups) {
    public static final LogPolicy DEFAULT = new LogPolicy(50L * 1024 * 1024, 5);
}
