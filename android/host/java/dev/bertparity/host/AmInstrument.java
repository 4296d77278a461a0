package dev.bertparity.host;

import android.app.Instrumentation;
import android.app.UiAutomation;
import android.content.Context;
import android.os.Bundle;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import javax.xml.parsers.DocumentBuilderFactory;
import org.json.JSONObject;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Plays `am instrument -w -e request <path> <component>` on the host for the device simulator: finds the
 * instrumentation in the app's AndroidManifest.xml, creates it, runs its lifecycle, and prints what am
 * prints (INSTRUMENTATION_RESULT lines and INSTRUMENTATION_CODE, or a crash report when the runner throws).
 *
 * argv: <request.json on the host> <device folder on the host> <getprop JSON> <component>.
 * System properties: bertparity.manifest (path of AndroidManifest.xml).
 */
public final class AmInstrument {
    private static final String ANDROID_NS = "http://schemas.android.com/apk/res/android";
    private static final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: AmInstrument <request on host> <device root on host> <getprop JSON> <component>");
            System.exit(2);
        }
        File request = new File(args[0]).getAbsoluteFile();
        File deviceRoot = new File(args[1]).getAbsoluteFile();
        JSONObject props = new JSONObject(args[2]);
        String component = args[3];

        int slash = component.indexOf('/');
        String pkg = component.substring(0, slash);
        String name = component.substring(slash + 1);
        String className = name.startsWith(".") ? pkg + name : name;
        if (!declared(new File(System.getProperty("bertparity.manifest")), pkg, className)) {
            // am's answer for an instrumentation the installed APK does not declare.
            out.println("INSTRUMENTATION_STATUS: Error=Unable to find instrumentation info for: ComponentInfo{" + component + "}");
            out.println("INSTRUMENTATION_STATUS_CODE: -1");
            System.exit(0);
        }
        for (Iterator<String> keys = props.keys(); keys.hasNext(); ) {
            String k = keys.next();
            System.setProperty("bertparity.prop." + k, props.getString(k));
        }

        // An uncaught exception on any thread kills an app process; am then reports the crash.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> crash(e));
        CountDownLatch finished = new CountDownLatch(1);
        File filesDir = new File(deviceRoot, "storage/emulated/0/Android/data/" + pkg + "/files");
        UiAutomation ui = new UiAutomation(deviceRoot);
        Context context = new Context() {
            @Override
            public File getExternalFilesDir(String type) {
                File dir = type == null ? filesDir : new File(filesDir, type);
                dir.mkdirs(); // as on a device, the folder exists once asked for
                return dir;
            }
        };
        Instrumentation instrumentation = (Instrumentation) Class.forName(className).getDeclaredConstructor().newInstance();
        instrumentation.attachHost(new Instrumentation.Host() {
            @Override
            public Context targetContext() {
                return context;
            }

            @Override
            public UiAutomation uiAutomation() {
                return ui;
            }

            @Override
            public void finished(int resultCode, Bundle results) {
                if (results != null) {
                    for (String k : results.keySet()) out.println("INSTRUMENTATION_RESULT: " + k + "=" + results.get(k));
                }
                out.println("INSTRUMENTATION_CODE: " + resultCode);
                finished.countDown();
            }
        });
        Bundle arguments = new Bundle();
        String root = deviceRoot.getPath();
        String path = request.getPath();
        arguments.putString("request", path.startsWith(root + "/") ? path.substring(root.length()) : path);
        try {
            instrumentation.onCreate(arguments);
        } catch (Throwable e) {
            crash(e);
        }
        finished.await();
        // The activity manager kills the process once the instrumentation has finished.
        System.exit(0);
    }

    /** Whether the manifest declares this instrumentation class for this package. */
    private static boolean declared(File manifest, String pkg, String className) throws Exception {
        NodeList list = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder().parse(manifest)
            .getElementsByTagName("instrumentation");
        for (int i = 0; i < list.getLength(); i++) {
            Element e = (Element) list.item(i);
            String n = e.getAttributeNS(ANDROID_NS, "name");
            String resolved = n.startsWith(".") ? pkg + n : n;
            if (resolved.equals(className) && pkg.equals(e.getAttributeNS(ANDROID_NS, "targetPackage"))) return true;
        }
        return false;
    }

    /** What am prints when the instrumented process dies of an uncaught exception. */
    private static void crash(Throwable e) {
        e.printStackTrace();
        String cls = e.getClass().getName();
        out.println("INSTRUMENTATION_RESULT: longMsg=" + cls + ": " + e.getMessage());
        out.println("INSTRUMENTATION_RESULT: shortMsg=" + cls);
        out.println("INSTRUMENTATION_CODE: 0");
        Runtime.getRuntime().halt(0);
    }
}
