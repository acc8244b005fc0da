package org.gaplab.datasets;

/** Configuration of a paired source; {@link #kind()} names it in config files. */
public interface SourceConfig {
    /** @return the name used as {@code data.kind} */
    String kind();

    /** @return a source built from this configuration */
    PairedSource build();
}
