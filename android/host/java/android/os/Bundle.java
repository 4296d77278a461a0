package android.os;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Host double of android.os.Bundle: the string entries an instrumentation reads and reports. */
public final class Bundle {
    private final Map<String, Object> map = new TreeMap<>();

    public Bundle() {}

    public String getString(String key) {
        // Like BaseBundle.getString: null when absent or not a String.
        Object v = map.get(key);
        return v instanceof String ? (String) v : null;
    }

    public void putString(String key, String value) {
        map.put(key, value);
    }

    public Set<String> keySet() {
        return Collections.unmodifiableSet(map.keySet());
    }

    public Object get(String key) {
        return map.get(key);
    }
}
