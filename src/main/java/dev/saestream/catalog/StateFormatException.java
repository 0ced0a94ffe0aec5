package dev.saestream.catalog;

/**
 * The catalogue's stored state was written in a format this saestream does not read. It is not a
 * crash to dig into but an upgrade step, so the catalog reports its message alone.
 */
public final class StateFormatException extends IllegalStateException {
    StateFormatException(String what) {
        super(what + ": the catalogue's state was written by another saestream version. Catalogue again"
                + " under a new application id (saestream reprocess, or catalog.applicationId), or, on the"
                + " embedded broker, delete the data directory (its broker logs and state stores) and run again");
    }
}
