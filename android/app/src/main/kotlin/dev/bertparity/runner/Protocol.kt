package dev.bertparity.runner

import org.json.JSONArray
import org.json.JSONObject

/** An error with one of the protocol's codes (docs/device-protocol.md); becomes an entry of result.errors. */
class RunnerError(val code: String, message: String) : Exception(message)

const val PROTOCOL = "bert-parity/device@1"
private val NPY_FILE = Regex("^[A-Za-z0-9_.-]{1,120}\\.npy$")

/** request.json, version 1. `port` is a signature input name, or an Int position when signature is null. */
data class Request(
    val runId: String,
    val mode: String,
    val model: String,
    val signature: String?,
    val delegate: String,
    val threads: Int,
    val repeats: Int,
    val rows: Int,
    val inputs: List<Pair<String, Any>>,
) {
    companion object {
        private val KEYS = setOf("protocol", "runId", "mode", "model", "signature", "delegate", "threads", "repeats", "rows", "inputs")

        fun parse(text: String): Request {
            val o = JSONObject(text)
            fun bad(what: String): Nothing = throw RunnerError("E_DEVICE_PROTOCOL", "request.json: $what")
            o.keys().forEach { if (it !in KEYS) bad("unknown key $it") }
            KEYS.forEach { if (!o.has(it)) bad("missing key $it") }
            if (o.getString("protocol") != PROTOCOL) bad("protocol ${o.getString("protocol")}; expected $PROTOCOL")
            val mode = o.getString("mode").also { if (it != "describe" && it != "run") bad("mode $it") }
            val delegate = o.getString("delegate").also { if (it !in listOf("xnnpack", "cpu", "gpu", "nnapi")) bad("delegate $it") }
            fun positive(key: String) = o.getInt(key).also { if (it < 1) bad("$key is $it; expected >= 1") }
            val inputs = o.getJSONArray("inputs").let { a ->
                (0 until a.length()).map { i ->
                    val x = a.getJSONObject(i)
                    val file = x.getString("file").also { if (!NPY_FILE.matches(it)) bad("inputs[$i].file $it") }
                    file to x.get("port")
                }
            }
            return Request(
                runId = o.getString("runId"),
                mode = mode,
                model = o.getString("model"),
                signature = if (o.isNull("signature")) null else o.getString("signature"),
                delegate = delegate,
                threads = positive("threads"),
                repeats = positive("repeats"),
                rows = positive("rows"),
                inputs = inputs,
            )
        }
    }
}

data class Port(val name: String, val dtype: String, val shape: IntArray) {
    fun toJson(): JSONObject = JSONObject().put("name", name).put("dtype", dtype).put("shape", JSONArray(shape.toList()))
}

/** result.json, version 1: every key always present, as the host validates strictly. */
class Result(val runId: String, val delegate: String, val threads: Int) {
    var ok = true
    var runtimeVersion = "unknown"
    var device = JSONObject()
    var ports: Pair<List<Port>, List<Port>>? = null
    var signature: String? = null
    val outputs = JSONObject()
    val latencyMs = JSONArray()
    val errors = JSONArray()

    fun fail(code: String, message: String) {
        ok = false
        errors.put(JSONObject().put("code", code).put("message", message))
    }

    fun toJson(): String {
        val model = ports?.let { (ins, outs) ->
            JSONObject()
                .put("signature", signature ?: JSONObject.NULL)
                .put("inputs", JSONArray(ins.map { it.toJson() }))
                .put("outputs", JSONArray(outs.map { it.toJson() }))
        }
        return JSONObject()
            .put("protocol", PROTOCOL)
            .put("runId", runId)
            .put("status", if (ok) "ok" else "error")
            .put("runtime", JSONObject().put("name", "tensorflow-lite (android)").put("version", runtimeVersion))
            .put("delegate", delegate)
            .put("threads", threads)
            .put("device", device)
            .put("model", model ?: JSONObject.NULL)
            .put("outputs", if (ok) outputs else JSONObject())
            .put("latencyMs", if (ok) latencyMs else JSONArray())
            .put("errors", errors)
            .toString(2)
    }
}
