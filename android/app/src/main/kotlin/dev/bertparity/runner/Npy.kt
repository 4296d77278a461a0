package dev.bertparity.runner

import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder

/** A little-endian, C-ordered NumPy array: dtype name as the protocol spells it, shape, raw bytes. */
class NpyArray(val dtype: String, val shape: IntArray, val data: ByteBuffer) {
    val elements: Int get() = shape.fold(1) { a, b -> a * b }
}

/**
 * The subset of the .npy format (NumPy's format docs: magic, version, header length, a Python dict
 * literal with descr/fortran_order/shape, data) that the device protocol uses. Anything else is refused.
 */
object Npy {
    private val MAGIC = byteArrayOf(0x93.toByte(), 'N'.code.toByte(), 'U'.code.toByte(), 'M'.code.toByte(), 'P'.code.toByte(), 'Y'.code.toByte())
    private val DESCR = mapOf(
        "<f4" to "float32", "<i4" to "int32", "<i8" to "int64", "|u1" to "uint8", "|i1" to "int8", "|b1" to "bool", "<f2" to "float16",
    )
    private val SIZE = mapOf("float32" to 4, "int32" to 4, "int64" to 8, "uint8" to 1, "int8" to 1, "bool" to 1, "float16" to 2)

    fun elementSize(dtype: String): Int = SIZE[dtype] ?: throw RunnerError("E_NPY_FORMAT", "dtype $dtype is not supported")

    fun read(file: File): NpyArray {
        val bytes = file.readBytes()
        fun bad(what: String): Nothing = throw RunnerError("E_NPY_FORMAT", "${file.name}: $what")
        if (bytes.size < 10 || !bytes.copyOfRange(0, 6).contentEquals(MAGIC)) bad("not a .npy file (no \\x93NUMPY magic)")
        val major = bytes[6].toInt()
        val buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)
        val (prefix, headerLen) = when (major) {
            1 -> 10 to (buf.getShort(8).toInt() and 0xffff)
            2, 3 -> 12 to buf.getInt(8)
            else -> bad("format version $major; expected 1, 2 or 3")
        }
        if (prefix + headerLen > bytes.size) bad("header length $headerLen runs past the end of the file")
        val header = String(bytes, prefix, headerLen, Charsets.ISO_8859_1)
        val descr = Regex("'descr':\\s*'([^']+)'").find(header)?.groupValues?.get(1) ?: bad("header has no descr: $header")
        val dtype = DESCR[descr] ?: bad("descr '$descr' is not supported; expected one of ${DESCR.keys}")
        if (Regex("'fortran_order':\\s*True").containsMatchIn(header)) bad("fortran_order is True; expected C order")
        val shapeText = Regex("'shape':\\s*\\(([^)]*)\\)").find(header)?.groupValues?.get(1) ?: bad("header has no shape: $header")
        val shape = shapeText.split(',').map { it.trim() }.filter { it.isNotEmpty() }.map { it.toInt() }.toIntArray()
        val want = shape.fold(1) { a, b -> a * b } * elementSize(dtype)
        val have = bytes.size - prefix - headerLen
        if (have != want) bad("shape ${shape.toList()} of $descr needs $want data bytes, found $have")
        val data = ByteBuffer.allocateDirect(want).order(ByteOrder.nativeOrder())
        data.put(bytes, prefix + headerLen, want).rewind()
        return NpyArray(dtype, shape, data)
    }

    fun write(file: File, array: NpyArray) {
        val descr = DESCR.entries.first { it.value == array.dtype }.key
        val shape = when (array.shape.size) {
            1 -> "(${array.shape[0]},)"
            else -> array.shape.joinToString(", ", "(", ")")
        }
        var header = "{'descr': '$descr', 'fortran_order': False, 'shape': $shape, }"
        // Pad with spaces so the data starts on a 64-byte boundary, the header ending in a newline.
        val total = 10 + header.length + 1
        header += " ".repeat((64 - total % 64) % 64) + "\n"
        val out = ByteBuffer.allocate(10 + header.length + array.data.remaining()).order(ByteOrder.LITTLE_ENDIAN)
        out.put(MAGIC).put(1).put(0).putShort(header.length.toShort()).put(header.toByteArray(Charsets.ISO_8859_1))
        out.put(array.data.duplicate())
        file.writeBytes(out.array())
    }
}
