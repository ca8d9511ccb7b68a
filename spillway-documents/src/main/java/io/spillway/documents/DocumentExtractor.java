package io.spillway.documents;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.exception.ZeroByteFileException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.langdetect.opennlp.OpenNLPDetector;
import org.apache.tika.language.detect.LanguageDetector;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.Office;
import org.apache.tika.metadata.PagedText;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.microsoft.OfficeParserConfig;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.sax.BodyContentHandler;
import org.apache.tika.sax.ContentHandlerDecorator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xml.sax.Attributes;
import org.xml.sax.ContentHandler;
import org.xml.sax.SAXException;

/**
 * Text and metadata from documents through Apache Tika (PDF, Word/Excel/PowerPoint in OOXML and
 * OLE formats, HTML, plain text). One parser is built at start and shared (building one costs
 * most of a second). Thread-safe.
 *
 * <p>Implementation notes: these limits make most hostile documents fail fast with a reason; what
 * they cannot bound (parts POI reads whole into memory, such as the package's properties, an
 * Excel file's shared strings, the OLE formats) is bounded by running this class in a child
 * process with a heap of its own ({@link ForkedExtractor}), as the server does.
 * <ul>
 *   <li>Type: taken from {@link DocumentTypes} (first bytes, name, zip entry names) and handed to
 *       Tika as an override, because Tika's own detection opens a zip without POI's guard and
 *       passes the open package on to the parser.</li>
 *   <li>Memory: the parse streams. Word and PowerPoint files are read with Tika's SAX extractors
 *       (the default builds the whole document as XML objects first: a 1 GB {@code document.xml}
 *       needed gigabytes of heap), Excel with POI's event reader; text goes into a buffer of at
 *       most {@link ExtractLimits#maxChars()} characters and the parse stops there. A part of a
 *       zip-based document is read only up to {@link ExtractLimits#maxPartBytes()} expanded and
 *       only while it expands less than {@link ExtractLimits#MAX_EXPANSION} times (POI's
 *       {@link ZipSecureFile} guard, which Tika turns off); PDFBox keeps at most
 *       {@link #PDF_MAIN_MEMORY} in memory and spools the rest to a temporary file. Embedded
 *       documents are not parsed. Metadata values are cut at {@link #MAX_METADATA_CHARS}.</li>
 *   <li>Time: the parse runs on its own thread; the caller waits at most the timeout, and the
 *       parse itself stops at its next piece of output once the deadline has passed or the
 *       thread is interrupted, so an abandoned parse does not keep a core busy.</li>
 *   <li>{@link ZipSecureFile}'s limits are static: building an extractor sets them for the whole
 *       process (the last one built wins).</li>
 * </ul>
 */
public final class DocumentExtractor implements Extractor {
    private static final Logger log = LoggerFactory.getLogger(DocumentExtractor.class);
    public static final String NAME = "tika-" + versionOf();

    /** PDFBox's in-memory buffer for a document's streams; the rest goes to a temporary file. */
    static final long PDF_MAIN_MEMORY = 16L << 20;
    /** Longest metadata value kept (a title, an author). */
    static final int MAX_METADATA_CHARS = 1_000;
    private static final Pattern ZIP_ENTRY = Pattern.compile("Entry: (\\S+)");
    /** Messages that name the parser that failed rather than what is wrong ("TIKA-198: Illegal IOException from …Parser@1a2b"). */
    private static final Pattern WRAPPER = Pattern.compile("^TIKA-\\d+|@[0-9a-f]{4,}\\b|^Error creating OOXML extractor$|^Unexpected RuntimeException");

    private static final Map<String, String> ISO_639_1 = new HashMap<>();

    static {
        for (var code : Locale.getISOLanguages()) {
            try {
                ISO_639_1.put(Locale.of(code).getISO3Language(), code);
            } catch (MissingResourceException ignored) {
                // no three-letter code
            }
        }
    }

    private final AutoDetectParser parser = new AutoDetectParser();
    private final LanguageDetector languages;
    private final ExtractLimits limits;
    private final AtomicInteger running = new AtomicInteger();
    private final ExecutorService parsers = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon(true).name("spillway-extract-", 0).unstarted(r));
    private final DocumentTypes types;

    public DocumentExtractor(ExtractLimits limits) {
        this.limits = limits;
        try {
            this.languages = new OpenNLPDetector().loadModels();
        } catch (IOException e) {
            throw new IllegalStateException("cannot load the language profiles: " + e.getMessage(), e);
        }
        this.types = new DocumentTypes(parser.getSupportedTypes(new ParseContext()));
        guardZipParts(limits);
    }

    /**
     * Sets POI's guard on zip-based documents. OOXMLParser's class initializer turns the
     * inflate-ratio check off, so this runs after it (the parser built above loaded it).
     */
    private static void guardZipParts(ExtractLimits limits) {
        synchronized (ZipSecureFile.class) {
            ZipSecureFile.setMinInflateRatio(1.0 / ExtractLimits.MAX_EXPANSION);
            ZipSecureFile.setMaxEntrySize(limits.maxPartBytes());
        }
    }

    /** The context of one parse: streaming extractors, bounded PDF memory, no embedded documents. */
    private static ParseContext parseContext() {
        var office = new OfficeParserConfig();
        office.setUseSAXDocxExtractor(true);
        office.setUseSAXPptxExtractor(true);
        office.setExtractMacros(false);
        var pdf = new PDFParserConfig();
        pdf.setMaxMainMemoryBytes(PDF_MAIN_MEMORY);
        pdf.setExtractInlineImages(false);
        pdf.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR);
        var context = new ParseContext();
        context.set(OfficeParserConfig.class, office);
        context.set(PDFParserConfig.class, pdf);
        // no Parser in the context: embedded documents (an xlsx inside a docx, attachments) are not parsed
        return context;
    }

    public ExtractLimits limits() {
        return limits;
    }

    /** Parses running now, including any that ran out of time and have not noticed yet. */
    public int parsesRunning() {
        return running.get();
    }

    private static String versionOf() {
        var v = AutoDetectParser.class.getPackage().getImplementationVersion();
        return v == null ? "3" : v;
    }


    @Override
    public Extracted extract(Path file, String filename) throws InterruptedException {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new DocumentException("the document is gone: " + e.getMessage(), e);
        }
        if (size > limits.maxBytes()) {
            throw new DocumentException("the document is " + size + " bytes; at most " + limits.maxBytes());
        }
        if (size == 0) {
            throw new DocumentException("the document is empty (0 bytes)");
        }
        long started = System.nanoTime();
        long deadline = started + limits.timeout().toNanos();
        running.incrementAndGet();
        var future = parsers.submit(() -> {
            try {
                return parse(file, filename, deadline);
            } finally {
                running.decrementAndGet();
            }
        });
        try {
            var result = future.get(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
            long ms = (System.nanoTime() - started) / 1_000_000;
            return new Extracted(result.text(), result.truncated(), result.metadata(), ms);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new DocumentException(tookTooLong());
        } catch (ExecutionException e) {
            var cause = e.getCause();
            if (cause instanceof DocumentException d) {
                throw d;
            }
            if (cause instanceof OutOfMemoryError) {
                throw new DocumentException("the document needs more memory to extract than this server has");
            }
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("zip bomb")) {
                    throw new DocumentException(zipBomb(t.getMessage()), cause);
                }
            }
            if (cause instanceof StackOverflowError) {
                throw new DocumentException("the document is nested too deeply to read", cause);
            }
            log.warn("extraction of {} failed unexpectedly", filename, cause);
            throw new DocumentException("the document could not be read: " + reason(cause), cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    private Extracted parse(Path file, String filename, long deadline) throws IOException {
        var metadata = new Metadata();
        if (filename != null) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, filename);
        }
        var body = new BodyContentHandler(limits.maxChars());
        boolean truncated = false;
        var type = types.detect(file, filename);
        if (!types.supports(type)) {
            throw new DocumentException("unsupported document type " + type.getBaseType()
                    + "; supported: PDF, Word, Excel, PowerPoint, HTML and plain text");
        }
        // Tika's own detection would open a zip without POI's guard and hand the open package to the parser
        metadata.set(TikaCoreProperties.CONTENT_TYPE_USER_OVERRIDE, type.toString());
        try (InputStream in = TikaInputStream.get(file)) {
            parser.parse(in, new Deadline(body, deadline), metadata, parseContext());
        } catch (SAXException | TikaException | IOException | RuntimeException e) {
            if (Deadline.passed(e)) {
                throw new DocumentException(tookTooLong());
            }
            if (e instanceof ZeroByteFileException) {
                throw new DocumentException("the document is empty (0 bytes)", e);
            }
            if (!WriteLimitReachedException.isWriteLimitReached(e)) {
                throw new DocumentException(describe(e, type), e);
            }
            truncated = true;
        }
        // Tika keeps what it read when one part fails, and reports the failure as a warning
        for (var warning : metadata.getValues(TikaCoreProperties.TIKA_META_EXCEPTION_WARNING)) {
            if (warning.toLowerCase(Locale.ROOT).contains("zip bomb")) {
                throw new DocumentException(zipBomb(warning));
            }
        }
        var text = body.toString().strip();
        return new Extracted(text, truncated, metadata(metadata, text), 0);
    }

    private String tookTooLong() {
        return "extraction took longer than " + limits.timeout().toMillis()
                + " ms and was stopped (setting extract_timeout_seconds); the document may be malformed or too complex";
    }

    /** What is wrong with the file, for the client: encrypted, a zip bomb, or not valid and why (the innermost reason). */
    private String describe(Throwable e, MediaType type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            var name = t.getClass().getSimpleName();
            var text = String.valueOf(t.getMessage());
            if (name.equals("ZipBombException") || text.toLowerCase(Locale.ROOT).contains("zip bomb")) {
                return zipBomb(text);
            }
            if (t instanceof EncryptedDocumentException || name.contains("Encrypted")) {
                return "the document is encrypted (password-protected); send it without the password";
            }
        }
        return "the file is not a valid " + formatName(type) + ": " + reason(e);
    }

    /** The innermost message of a failure, without the parsers' wrappers and object names. */
    static String reason(Throwable e) {
        String reason = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            var message = t.getMessage();
            if (message != null && !message.isBlank() && !WRAPPER.matcher(message).find()) {
                reason = message;
            }
        }
        if (reason == null) {
            return "it could not be parsed";
        }
        reason = reason.strip().replaceAll("\\s+", " ");
        return reason.length() > 300 ? reason.substring(0, 300) + "…" : reason;
    }

    /** The format a client knows a media type by. */
    static String formatName(MediaType type) {
        var t = type.getBaseType().toString();
        if (t.equals("application/pdf")) {
            return "PDF";
        }
        if (t.contains("wordprocessingml") || t.contains("ms-word")) {
            return "Word document (docx)";
        }
        if (t.contains("spreadsheetml") || t.contains("ms-excel.sheet")) {
            return "Excel workbook (xlsx)";
        }
        if (t.contains("presentationml") || t.contains("ms-powerpoint.presentation")) {
            return "PowerPoint presentation (pptx)";
        }
        return switch (t) {
            case "application/msword" -> "Word document (doc)";
            case "application/vnd.ms-excel" -> "Excel workbook (xls)";
            case "application/vnd.ms-powerpoint" -> "PowerPoint presentation (ppt)";
            case "application/x-tika-msoffice" -> "Office document";
            case "application/x-tika-ooxml" -> "Office Open XML document";
            case "text/html", "application/xhtml+xml" -> "HTML document";
            case "text/plain" -> "text file";
            default -> t + " file";
        };
    }

    private String zipBomb(String poiMessage) {
        var entry = ZIP_ENTRY.matcher(poiMessage);
        var part = entry.find() ? "its part " + entry.group(1) : "a part of it";
        if (poiMessage.contains("MAX_ENTRY_SIZE")) {
            return "the document looks like a zip bomb: " + part + " expands beyond " + limits.maxPartBytes()
                    + " bytes (setting max_expanded_part_bytes); it was not extracted";
        }
        if (poiMessage.contains("MIN_INFLATE_RATIO")) {
            return "the document looks like a zip bomb: " + part + " expands more than " + ExtractLimits.MAX_EXPANSION
                    + " times its compressed size; it was not extracted";
        }
        return "the document looks like a zip bomb (it expands far beyond its size or nests too deep) and was not extracted";
    }

    private Map<String, Object> metadata(Metadata m, String text) {
        var out = new LinkedHashMap<String, Object>();
        put(out, "content_type", m.get(Metadata.CONTENT_TYPE));
        put(out, "title", m.get(TikaCoreProperties.TITLE));
        var creators = m.getValues(TikaCoreProperties.CREATOR);
        put(out, "author", creators.length == 0 ? null : String.join(", ", creators));
        put(out, "created", m.get(TikaCoreProperties.CREATED));
        put(out, "modified", m.get(TikaCoreProperties.MODIFIED));
        var pages = m.getInt(PagedText.N_PAGES);
        if (pages == null) {
            pages = m.getInt(Office.PAGE_COUNT);
        }
        if (pages == null) {
            pages = m.getInt(Office.SLIDE_COUNT);
        }
        put(out, "page_count", pages);
        put(out, "language", language(text));
        out.put("word_count", words(text));
        out.put("characters", text.length());
        return out;
    }

    private String language(String text) {
        if (text.length() < 20) {
            return null;
        }
        var sample = text.length() > 20_000 ? text.substring(0, 20_000) : text;
        synchronized (languages) {
            languages.reset();
            languages.addText(sample);
            var all = languages.detectAll();
            if (all.isEmpty()) {
                return null;
            }
            // OpenNLP answers ISO 639-3 codes with small raw scores over ~100 languages: take the
            // best when it clearly leads the runner-up, as ISO 639-1 where there is one
            var best = all.get(0);
            if (all.size() > 1 && best.getRawScore() < 1.2 * all.get(1).getRawScore()) {
                return null;
            }
            return ISO_639_1.getOrDefault(best.getLanguage(), best.getLanguage());
        }
    }

    static int words(String text) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean letter = Character.isLetterOrDigit(text.charAt(i));
            if (letter && !inWord) {
                count++;
            }
            inWord = letter;
        }
        return count;
    }

    private static void put(Map<String, Object> out, String key, Object value) {
        if (value instanceof String s) {
            if (s.isBlank()) {
                return;
            }
            value = s.length() > MAX_METADATA_CHARS ? s.substring(0, MAX_METADATA_CHARS) + "…" : s;
        }
        if (value != null) {
            out.put(key, value);
        }
    }

    /**
     * Passes a parse's output on, and stops the parse at its next output once the deadline has
     * passed or its thread is interrupted (a parse that ran out of time was abandoned).
     */
    private static final class Deadline extends ContentHandlerDecorator {
        private final long deadline;

        Deadline(ContentHandler handler, long deadline) {
            super(handler);
            this.deadline = deadline;
        }

        /** Whether {@code e} (or what it wraps) is this guard stopping a parse. */
        static boolean passed(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof OutOfTime || (t instanceof SAXException s && s.getException() instanceof OutOfTime)) {
                    return true;
                }
            }
            return false;
        }

        private void check() throws SAXException {
            if (System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) {
                throw new OutOfTime();
            }
        }

        private static final class OutOfTime extends SAXException {
            OutOfTime() {
                super("extraction stopped: out of time");
            }
        }

        @Override
        public void startElement(String uri, String localName, String name, Attributes atts) throws SAXException {
            check();
            super.startElement(uri, localName, name, atts);
        }

        @Override
        public void endElement(String uri, String localName, String name) throws SAXException {
            check();
            super.endElement(uri, localName, name);
        }

        @Override
        public void characters(char[] ch, int start, int length) throws SAXException {
            check();
            super.characters(ch, start, length);
        }

        @Override
        public void ignorableWhitespace(char[] ch, int start, int length) throws SAXException {
            check();
            super.ignorableWhitespace(ch, start, length);
        }
    }

    @Override
    public void close() {
        parsers.shutdownNow();
    }
}
