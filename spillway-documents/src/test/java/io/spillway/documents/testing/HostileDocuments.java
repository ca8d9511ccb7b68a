package io.spillway.documents.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes hostile Word documents for tests: valid docx packages whose parts expand far beyond
 * the file. A large part is one block of XML repeated: the block is compressed once and its
 * compressed bytes are written again and again (each copy starts from an empty dictionary), so
 * writing a 1 GB part takes a fraction of a second and little memory, and the part's
 * compression ratio is the block's.
 */
public final class HostileDocuments {
    private static final String W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private static final String CONTENT_TYPES = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument"
            + ".wordprocessingml.document.main+xml\"/>"
            + "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package"
            + ".core-properties+xml\"/></Types>";
    private static final String RELS = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
            + "officeDocument\" Target=\"word/document.xml\"/>"
            + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
            + "core-properties\" Target=\"docProps/core.xml\"/></Relationships>";
    private static final String DOCUMENT_START = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"" + W
            + "\"><w:body>";
    private static final String DOCUMENT_END = "</w:body></w:document>";
    private static final String CORE_START = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><cp:coreProperties"
            + " xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\""
            + " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">";
    private static final String CORE_END = "</cp:coreProperties>";
    private static final int BLOCK = 1 << 20;

    private HostileDocuments() {
    }

    /**
     * A zip bomb: {@code word/document.xml} is about {@code expandedBytes} of one repeated letter
     * in a paragraph, compressed about 1,000 times.
     */
    public static void zipBomb(Path file, long expandedBytes) throws IOException {
        var block = "a".repeat(BLOCK).getBytes(StandardCharsets.US_ASCII);
        write(file, "<w:p><w:r><w:t>", block, expandedBytes / BLOCK, "</w:t></w:r></w:p>", core("Bomb"));
    }

    /**
     * A large document of ordinary compression (about 7:1): {@code word/document.xml} is
     * about {@code expandedBytes} of paragraphs of pseudo-random words.
     */
    public static void largeDocument(Path file, long expandedBytes) throws IOException {
        var random = new Random(42);
        var words = new String[512];
        for (int i = 0; i < words.length; i++) {
            var w = new StringBuilder();
            for (int n = 3 + random.nextInt(7), k = 0; k < n; k++) {
                w.append((char) ('a' + random.nextInt(26)));
            }
            words[i] = w.toString();
        }
        var text = new StringBuilder(BLOCK + 1024);
        while (text.length() < BLOCK) {
            text.append("<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr>");
            for (int run = 0; run < 4; run++) {
                text.append("<w:r><w:rPr><w:lang w:val=\"en-GB\"/></w:rPr><w:t xml:space=\"preserve\">");
                for (int i = 0; i < 8; i++) {
                    text.append(words[random.nextInt(words.length)]).append(' ');
                }
                text.append("</w:t></w:r>");
            }
            text.append("</w:p>");
        }
        write(file, "", text.toString().getBytes(StandardCharsets.US_ASCII), expandedBytes / BLOCK, "", core("Large"));
    }

    /**
     * A document whose core properties ({@code docProps/core.xml}, which POI reads into memory
     * whole when it opens the package) are about {@code expandedBytes} of distinct subjects,
     * compressed about 3 times: within any expansion limit, it needs far more memory than its size.
     */
    public static void largeProperties(Path file, long expandedBytes) throws IOException {
        var random = new Random(7);
        var subjects = new StringBuilder(BLOCK + 64);
        while (subjects.length() < BLOCK) {
            subjects.append("<dc:subject>").append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append("</dc:subject>");
        }
        var paragraph = "<w:p><w:r><w:t>A small body.</w:t></w:r></w:p>".getBytes(StandardCharsets.US_ASCII);
        try (var zip = new RawZip(file)) {
            zip.entry("[Content_Types].xml", CONTENT_TYPES.getBytes(StandardCharsets.UTF_8));
            zip.entry("_rels/.rels", RELS.getBytes(StandardCharsets.UTF_8));
            zip.repeated("word/document.xml", DOCUMENT_START, paragraph, 1, DOCUMENT_END);
            zip.repeated("docProps/core.xml", CORE_START, subjects.toString().getBytes(StandardCharsets.US_ASCII),
                    expandedBytes / BLOCK, CORE_END);
        }
    }

    private static byte[] core(String title) {
        return (CORE_START + "<dc:title>" + title + "</dc:title>" + CORE_END).getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Path file, String before, byte[] block, long times, String after, byte[] core)
            throws IOException {
        try (var zip = new RawZip(file)) {
            zip.entry("[Content_Types].xml", CONTENT_TYPES.getBytes(StandardCharsets.UTF_8));
            zip.entry("_rels/.rels", RELS.getBytes(StandardCharsets.UTF_8));
            zip.entry("docProps/core.xml", core);
            zip.repeated("word/document.xml", DOCUMENT_START + before, block, Math.max(1, times), after + DOCUMENT_END);
        }
    }

    /** A zip written by hand (deflated entries below 4 GiB), so an entry's compressed data can repeat. */
    private static final class RawZip implements AutoCloseable {
        private final OutputStream out;
        private final List<byte[]> central = new ArrayList<>();
        private long offset;

        RawZip(Path file) throws IOException {
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        }

        void entry(String name, byte[] content) throws IOException {
            repeated(name, "", content, 1, "");
        }

        void repeated(String name, String before, byte[] block, long times, String after) throws IOException {
            var head = before.getBytes(StandardCharsets.UTF_8);
            var tail = after.getBytes(StandardCharsets.UTF_8);
            var crc = new CRC32();
            crc.update(head);
            for (long i = 0; i < times; i++) {
                crc.update(block);
            }
            crc.update(tail);
            long size = head.length + block.length * times + tail.length;
            var headData = deflate(head, false);
            var blockData = deflate(block, false);
            var tailData = deflate(tail, true);
            long compressed = headData.length + blockData.length * times + tailData.length;
            if (size >= 0xFFFF_FFFFL || compressed >= 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("entries of 4 GiB and more need ZIP64");
            }
            var nameBytes = name.getBytes(StandardCharsets.UTF_8);
            var local = header(0x04034b50, 30, nameBytes, crc.getValue(), compressed, size, -1);
            central.add(header(0x02014b50, 46, nameBytes, crc.getValue(), compressed, size, offset));
            out.write(local);
            out.write(headData);
            for (long i = 0; i < times; i++) {
                out.write(blockData);
            }
            out.write(tailData);
            offset += local.length + compressed;
        }

        /** Raw deflate data; unless {@code last}, it ends with a full flush, so a copy decodes on its own. */
        private static byte[] deflate(byte[] data, boolean last) {
            var deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            deflater.setInput(data);
            if (last) {
                deflater.finish();
            }
            var out = new ByteArrayOutputStream();
            var buf = new byte[1 << 16];
            while (true) {
                int n = last ? deflater.deflate(buf) : deflater.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
                out.write(buf, 0, n);
                if (last ? deflater.finished() : n < buf.length && deflater.needsInput()) {
                    break;
                }
            }
            deflater.end();
            return out.toByteArray();
        }

        /** A local ({@code offset} -1) or central directory header. */
        private static byte[] header(int signature, int fixed, byte[] name, long crc, long compressed, long size, long offset) {
            var b = ByteBuffer.allocate(fixed + name.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(signature);
            if (offset >= 0) {
                b.putShort((short) 20); // made by
            }
            b.putShort((short) 20).putShort((short) 0x0800).putShort((short) 8); // version, UTF-8 names, deflated
            b.putShort((short) 0).putShort((short) 0x21); // time, date: 1980-01-01
            b.putInt((int) crc).putInt((int) compressed).putInt((int) size);
            b.putShort((short) name.length).putShort((short) 0);
            if (offset >= 0) {
                b.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offset);
            }
            b.put(name);
            return b.array();
        }

        @Override
        public void close() throws IOException {
            long start = offset;
            long length = 0;
            for (var h : central) {
                out.write(h);
                length += h.length;
            }
            var end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN).putInt(0x06054b50).putShort((short) 0)
                    .putShort((short) 0).putShort((short) central.size()).putShort((short) central.size())
                    .putInt((int) length).putInt((int) start).putShort((short) 0);
            out.write(end.array());
            out.close();
        }
    }
}
