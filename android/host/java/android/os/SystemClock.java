package android.os;

/** Host double of android.os.SystemClock: a monotonic clock, as elapsedRealtimeNanos is on a device. */
public final class SystemClock {
    private SystemClock() {}

    public static long elapsedRealtimeNanos() {
        return System.nanoTime();
    }
}
