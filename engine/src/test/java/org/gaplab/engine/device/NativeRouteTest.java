package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/** Which route libtorch comes by, from the settings, the class path and DJL's offline switch. */
class NativeRouteTest {
    private static final Path CACHE = Path.of("cache", "pytorch");
    private static final NativeSettings NONE = new NativeSettings(null, null, null, null, null);

    @Test
    void aLibraryPathWinsThenTheBundledJar() {
        var s = new NativeSettings("/opt/libtorch/lib", null, "2.7.1", "cu128", null);
        assertThat(NativeRoute.describe(s, true, true, CACHE)).containsEntry("route", "library path");
        assertThat(NativeRoute.describe(NONE, true, true, CACHE)).containsEntry("route", "bundled");
    }

    @Test
    void withoutBundledNativesDjlDownloadsOnlyWhenNotOffline() {
        var download = NativeRoute.describe(new NativeSettings(null, null, "2.7.1", "cu128", null), false, false, CACHE);
        assertThat(download).containsEntry("route", "download").containsEntry("offline", false);
        assertThat((String) download.get("detail")).contains("flavor cu128").contains(CACHE.toString());
        var none = NativeRoute.describe(NONE, false, true, CACHE);
        assertThat(none).containsEntry("route", "none");
        assertThat((String) none.get("detail")).contains("GAPLAB_NATIVE=download");
    }
}
