package android.app;

/** Host double of android.app.Activity: only the result codes an instrumentation reports with. */
public class Activity {
    public static final int RESULT_CANCELED = 0;
    public static final int RESULT_OK = -1;
}
