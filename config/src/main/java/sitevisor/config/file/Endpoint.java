package sitevisor.config.file;

/** A host and a port where something listens, as {@code jolokia: { host, port }} gives them. */
public record Endpoint(String host, int port) {}
