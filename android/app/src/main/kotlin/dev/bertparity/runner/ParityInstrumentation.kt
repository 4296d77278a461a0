package dev.bertparity.runner

import android.app.Activity
import android.app.Instrumentation
import android.os.Build
import android.os.Bundle
import android.os.ParcelFileDescriptor
import org.json.JSONObject
import org.tensorflow.lite.TensorFlowLite
import java.io.File

/**
 * Started by `adb shell am instrument -w -e request <run folder>/request.json
 * dev.bertparity.runner/.ParityInstrumentation`. Executes one device-protocol request and writes
 * result.json (and the outputs) into the run folder.
 *
 * The run folder is under /data/local/tmp, which adb (the shell user) owns and an app may not write to.
 * So files are copied through the shell user (UiAutomation.executeShellCommand runs as shell) between the
 * run folder and this app's external files folder, where the app reads and writes.
 */
class ParityInstrumentation : Instrumentation() {
    private var requestPath: String? = null

    override fun onCreate(arguments: Bundle?) {
        super.onCreate(arguments)
        requestPath = arguments?.getString("request")
        start()
    }

    override fun onStart() {
        super.onStart()
        val status = Bundle()
        try {
            execute(requestPath ?: throw RunnerError("E_DEVICE_PROTOCOL", "no -e request <path> argument"))
            status.putString("status", "done")
        } catch (t: Throwable) {
            // Without a readable request there is no run id for result.json; the host reports it missing.
            status.putString("status", "failed")
            status.putString("error", t.toString())
        }
        finish(Activity.RESULT_OK, status)
    }

    private fun shell(command: String) {
        val fd = uiAutomation.executeShellCommand(command)
        ParcelFileDescriptor.AutoCloseInputStream(fd).use { it.readBytes() } // waits for the command to end
    }

    private fun execute(requestPath: String) {
        val runDir = File(requestPath).parentFile ?: throw RunnerError("E_DEVICE_PROTOCOL", "request path $requestPath has no folder")
        val stage = File(targetContext.getExternalFilesDir(null), "run").apply { deleteRecursively(); mkdirs() }
        shell("cp -r ${runDir.path}/. ${stage.path}/")
        val stagedRequest = File(stage, "request.json")
        if (!stagedRequest.exists()) throw RunnerError("E_IO", "cannot copy $requestPath to ${stage.path}")
        val request = Request.parse(stagedRequest.readText())
        val result = Result(request.runId, request.delegate, request.threads)
        result.runtimeVersion = TensorFlowLite.runtimeVersion()
        result.signature = request.signature
        result.device = JSONObject()
            .put("manufacturer", Build.MANUFACTURER)
            .put("model", Build.MODEL)
            .put("abi", Build.SUPPORTED_ABIS.firstOrNull() ?: "unknown")
            .put("sdk", Build.VERSION.SDK_INT)
            .put("release", Build.VERSION.RELEASE)
        val out = File(stage, "out").apply { mkdirs() }
        try {
            val model = File(stage, "model.tflite")
            shell("cp ${request.model} ${model.path}")
            if (!model.exists()) throw RunnerError("E_IO", "cannot copy ${request.model} to ${model.path}")
            ModelRunner(model, request.delegate, request.threads, request.signature).use { runner ->
                result.ports = runner.ports()
                if (request.mode == "run") {
                    val inputs = request.inputs.map { (file, port) -> port to Npy.read(File(stage, file)) }
                    val (outputs, times) = runner.run(inputs, request.rows, request.repeats)
                    outputs.forEachIndexed { i, (port, array) ->
                        val name = "output_$i.npy"
                        Npy.write(File(out, name), array)
                        result.outputs.put(if (request.signature == null) i.toString() else port as String, name)
                    }
                    times.forEach { result.latencyMs.put(it) }
                }
            }
        } catch (e: RunnerError) {
            result.fail(e.code, e.message ?: "")
        } catch (e: Exception) {
            result.fail("E_RUNTIME_RUN", e.toString())
        }
        File(out, "result.json").writeText(result.toJson())
        // Outputs first, result.json last: the host reads the result only after am instrument returns.
        out.listFiles()?.sortedBy { it.name == "result.json" }?.forEach { shell("cp ${it.path} ${runDir.path}/${it.name}") }
    }
}
