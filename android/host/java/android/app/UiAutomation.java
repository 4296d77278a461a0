package android.app;

import android.os.ParcelFileDescriptor;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringTokenizer;

/**
 * Host double of android.app.UiAutomation: executeShellCommand runs the command as the simulated
 * device's shell user. Like the real one (UiAutomationConnection hands the string to Runtime.exec), the
 * command is split on whitespace and run without a shell, so quotes, globs, pipes and `&&` do not work
 * here either. Absolute paths are device paths: they are mapped into the device's folder on the host.
 */
public final class UiAutomation {
    private final File deviceRoot;

    public UiAutomation(File deviceRoot) {
        this.deviceRoot = deviceRoot;
    }

    public ParcelFileDescriptor executeShellCommand(String command) {
        List<String> argv = new ArrayList<>();
        StringTokenizer words = new StringTokenizer(command);
        String root = deviceRoot.getPath();
        while (words.hasMoreTokens()) {
            String w = words.nextToken();
            // The app's own folders are handed out as host paths already (see the harness's Context).
            argv.add(w.startsWith("/") && !w.startsWith(root + "/") ? root + w : w);
        }
        try {
            File out = File.createTempFile("bert-parity-shell-", ".out");
            Process p = new ProcessBuilder(argv).redirectOutput(out).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
            return new ParcelFileDescriptor(out);
        } catch (IOException e) {
            // The real call wraps a failure to start the command the same way.
            throw new RuntimeException("Error running shell command '" + command + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }
}
