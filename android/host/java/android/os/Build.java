package android.os;

/**
 * Host double of android.os.Build. The values come from the simulated device's getprop (the harness
 * sets them as system properties "bertparity.prop.<name>" before the runner first touches this class),
 * so result.json describes the same device that `adb shell getprop` does.
 */
public class Build {
    static String prop(String name, String fallback) {
        return System.getProperty("bertparity.prop." + name, fallback);
    }

    public static final String MANUFACTURER = prop("ro.product.manufacturer", "unknown");
    public static final String MODEL = prop("ro.product.model", "unknown");
    public static final String[] SUPPORTED_ABIS = prop("ro.product.cpu.abilist", prop("ro.product.cpu.abi", "unknown")).split(",");

    public static class VERSION {
        public static final int SDK_INT = Integer.parseInt(prop("ro.build.version.sdk", "1"));
        public static final String RELEASE = prop("ro.build.version.release", "unknown");
    }
}
