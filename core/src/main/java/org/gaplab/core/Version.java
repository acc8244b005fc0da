package org.gaplab.core;

/** gaplab's own version, as recorded in provenance and printed by {@code --version}. */
public final class Version {
    private Version() {}

    /** @return the version from this jar's manifest, or "dev" when run from compiled classes */
    public static String gaplab() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
