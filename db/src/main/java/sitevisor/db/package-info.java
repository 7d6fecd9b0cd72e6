/**
 * The history store: every event of every site, kept in an embedded H2 database under
 * {@code home/db}. Filled in by the history issue; the module exists so the layout and the
 * direction of dependencies are fixed from the start.
 */
package sitevisor.db;
