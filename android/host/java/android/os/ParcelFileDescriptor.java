package android.os;

import java.io.Closeable;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * Host double of android.os.ParcelFileDescriptor over a host file. UiAutomation's double hands one out
 * on the captured output of a finished command (on a device it is the read end of a pipe; reading it to
 * the end waits for the command either way, which is what the runner relies on).
 */
public class ParcelFileDescriptor implements Closeable {
    private final FileInputStream in;
    private final File file;

    public ParcelFileDescriptor(File file) throws FileNotFoundException {
        this.file = file;
        this.in = new FileInputStream(file);
    }

    public FileDescriptor getFileDescriptor() {
        try {
            return in.getFD();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
        file.delete();
    }

    /** Closes the descriptor when the stream is closed, as the real one does. */
    public static class AutoCloseInputStream extends FileInputStream {
        private final ParcelFileDescriptor pfd;

        public AutoCloseInputStream(ParcelFileDescriptor pfd) {
            super(pfd.getFileDescriptor());
            this.pfd = pfd;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                pfd.close();
            }
        }
    }
}
