package dev.bertparity.runner

import android.os.Build
import android.os.SystemClock
import org.tensorflow.lite.DataType
import org.tensorflow.lite.Delegate
import org.tensorflow.lite.Interpreter
import org.tensorflow.lite.Tensor
import org.tensorflow.lite.gpu.CompatibilityList
import org.tensorflow.lite.gpu.GpuDelegate
import org.tensorflow.lite.nnapi.NnApiDelegate
import java.io.Closeable
import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * One model in the TFLite Interpreter with the requested delegate. Ports are bound through the
 * SignatureDef (runSignature) when the request names one, else by tensor position.
 */
class ModelRunner(model: File, delegate: String, threads: Int, private val signature: String?) : Closeable {
    private val delegates = mutableListOf<Delegate>()
    private val interpreter: Interpreter

    init {
        val options = Interpreter.Options().setNumThreads(threads)
        when (delegate) {
            "xnnpack" -> options.setUseXNNPACK(true)
            // The builtin reference/optimized kernels without XNNPACK: a second CPU opinion on numerics.
            "cpu" -> options.setUseXNNPACK(false)
            "gpu" -> {
                if (!CompatibilityList().isDelegateSupportedOnThisDevice) {
                    throw RunnerError("E_RUNTIME_UNAVAILABLE", "the GPU delegate does not support this device (${Build.MODEL})")
                }
                options.addDelegate(GpuDelegate().also { delegates += it })
            }
            "nnapi" -> {
                if (Build.VERSION.SDK_INT < 27) {
                    throw RunnerError("E_RUNTIME_UNAVAILABLE", "NNAPI needs API level 27; this device has ${Build.VERSION.SDK_INT}")
                }
                options.addDelegate(NnApiDelegate().also { delegates += it })
            }
        }
        interpreter = try {
            Interpreter(model, options)
        } catch (e: Exception) {
            closeDelegates()
            // Unresolved ops, op versions the runtime lacks and delegate failures all surface here.
            throw RunnerError("E_RUNTIME_LOAD", "cannot load ${model.name}: ${e.message}")
        }
        if (signature != null && signature !in interpreter.signatureKeys) {
            val keys = interpreter.signatureKeys.joinToString()
            close()
            throw RunnerError("E_RUNTIME_MAPPING", "signature $signature is not in the model; it has: $keys")
        }
    }

    private fun inputTensor(port: Any): Tensor =
        if (signature != null) interpreter.getInputTensorFromSignature(port as String, signature) else interpreter.getInputTensor(port as Int)

    private fun outputTensor(port: Any): Tensor =
        if (signature != null) interpreter.getOutputTensorFromSignature(port as String, signature) else interpreter.getOutputTensor(port as Int)

    private fun inputPorts(): List<Any> =
        if (signature != null) interpreter.getSignatureInputs(signature).toList() else (0 until interpreter.inputTensorCount).toList()

    private fun outputPorts(): List<Any> =
        if (signature != null) interpreter.getSignatureOutputs(signature).toList() else (0 until interpreter.outputTensorCount).toList()

    fun ports(): Pair<List<Port>, List<Port>> {
        fun port(p: Any, t: Tensor) = Port(if (p is String) p else t.name(), dtypeName(t.dataType()), t.shape())
        return inputPorts().map { port(it, inputTensor(it)) } to outputPorts().map { port(it, outputTensor(it)) }
    }

    /**
     * Runs `rows` rows `repeats` times; a model with batch 1 takes the rows one at a time and the outputs
     * are stacked along dimension 0. Returns the first repeat's outputs (by port) and each repeat's time.
     */
    fun run(inputs: List<Pair<Any, NpyArray>>, rows: Int, repeats: Int): Pair<List<Pair<Any, NpyArray>>, List<Double>> {
        val split = rows > 1 && inputPorts().all { inputTensor(it).shape().firstOrNull() == 1 }
        val perRun = if (split) rows else 1
        val outs = outputPorts()
        val stacked = outs.map { ByteBuffer.allocateDirect(outputTensor(it).numBytes() * perRun).order(ByteOrder.nativeOrder()) }
        val times = mutableListOf<Double>()
        for (r in 0 until repeats) {
            val start = SystemClock.elapsedRealtimeNanos()
            for (row in 0 until perRun) {
                val feeds = inputs.map { (port, npy) -> port to rowOf(npy, if (split) row else -1, rows) }
                val results = outs.associateWith { ByteBuffer.allocateDirect(outputTensor(it).numBytes()).order(ByteOrder.nativeOrder()) }
                if (signature != null) {
                    @Suppress("UNCHECKED_CAST")
                    interpreter.runSignature(feeds.toMap() as Map<String, Any>, results as Map<String, Any>, signature)
                } else {
                    val byIndex = feeds.sortedBy { it.first as Int }.map { it.second }.toTypedArray<Any>()
                    @Suppress("UNCHECKED_CAST")
                    interpreter.runForMultipleInputsOutputs(byIndex, results as Map<Int, Any>)
                }
                if (r == 0) outs.forEachIndexed { i, p -> stacked[i].put(results.getValue(p).rewind() as ByteBuffer) }
            }
            times += (SystemClock.elapsedRealtimeNanos() - start) / 1e6
        }
        val arrays = outs.mapIndexed { i, p ->
            val t = outputTensor(p)
            val shape = t.shape().clone().also { if (split && it.isNotEmpty()) it[0] = rows }
            p to NpyArray(dtypeName(t.dataType()), shape, stacked[i].rewind() as ByteBuffer)
        }
        return arrays to times
    }

    private fun rowOf(npy: NpyArray, row: Int, rows: Int): ByteBuffer {
        if (npy.shape.firstOrNull() != rows) {
            throw RunnerError("E_RUNTIME_FEED", "an input has ${npy.shape.firstOrNull()} rows; expected $rows (request.rows)")
        }
        if (row < 0) return npy.data.duplicate()
        val size = npy.data.capacity() / rows
        val slice = npy.data.duplicate().apply { position(row * size); limit((row + 1) * size) }
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder()).put(slice).rewind() as ByteBuffer
    }

    override fun close() {
        interpreter.close()
        closeDelegates()
    }

    // Delegates outlive the interpreter that uses them, so they are closed after it.
    private fun closeDelegates() {
        delegates.forEach { it.close() }
        delegates.clear()
    }

    companion object {
        fun dtypeName(t: DataType): String = when (t) {
            DataType.FLOAT32 -> "float32"
            DataType.INT32 -> "int32"
            DataType.INT64 -> "int64"
            DataType.UINT8 -> "uint8"
            DataType.INT8 -> "int8"
            DataType.BOOL -> "bool"
            else -> throw RunnerError("E_RUNTIME_LOAD", "tensor dtype $t is not carried by the device protocol")
        }
    }
}
