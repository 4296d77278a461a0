package android.app;

import android.content.Context;
import android.os.Bundle;

/**
 * Host double of android.app.Instrumentation, with the lifecycle `am instrument` drives: the harness
 * calls onCreate(arguments) on the main thread; start() runs onStart() on a new thread; finish() hands
 * the result code and bundle to the harness, which prints them as am does.
 */
public class Instrumentation {
    /** What the harness (dev.bertparity.host.AmInstrument) provides; not part of the Android API. */
    public interface Host {
        Context targetContext();

        UiAutomation uiAutomation();

        void finished(int resultCode, Bundle results);
    }

    private Host host;
    private Thread runner;

    public Instrumentation() {}

    /** Called by the harness before onCreate; stands in for ActivityThread's init. */
    public final void attachHost(Host host) {
        this.host = host;
    }

    public void onCreate(Bundle arguments) {}

    public void start() {
        // As on a device: once only, onStart on its own thread named after the instrumentation.
        if (runner != null) throw new RuntimeException("Instrumentation already started");
        runner = new Thread(this::onStart, "Instr: " + getClass().getName());
        runner.start();
    }

    public void onStart() {}

    public void finish(int resultCode, Bundle results) {
        host.finished(resultCode, results);
    }

    public Context getTargetContext() {
        return host.targetContext();
    }

    public Context getContext() {
        return host.targetContext();
    }

    public UiAutomation getUiAutomation() {
        return host.uiAutomation();
    }
}
