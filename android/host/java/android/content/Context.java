package android.content;

import java.io.File;

/** Host double of android.content.Context: the one method the runner uses. */
public abstract class Context {
    public abstract File getExternalFilesDir(String type);
}
