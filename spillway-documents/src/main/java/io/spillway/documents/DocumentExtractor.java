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
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.apache.tika.sax.BodyContentHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xml.sax.SAXException;

/**
 * Text and metadata from documents through Apache Tika (PDF, Word/Excel/PowerPoint in OOXML and
 * OLE formats, HTML, plain text). One parser is built at start and shared (building one costs
 * most of a second). Every parse runs under the limits: bytes read, characters kept, and time
 * (a parse that overruns is interrupted and the document refused). Zip bombs are caught by
 * Tika's own guard (deep nesting or extreme compression ratios); encrypted and corrupt files get
 * a clear reason. Thread-safe.
 */
public final class DocumentExtractor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DocumentExtractor.class);
    public static final String NAME = "tika-" + versionOf();

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
    private final ExecutorService parsers = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon(true).name("spillway-extract-", 0).unstarted(r));
    private final Set<MediaType> supported;

    public DocumentExtractor(ExtractLimits limits) {
        this.limits = limits;
        try {
            this.languages = new OpenNLPDetector().loadModels();
        } catch (IOException e) {
            throw new IllegalStateException("cannot load the language profiles: " + e.getMessage(), e);
        }
        this.supported = parser.getSupportedTypes(new ParseContext());
    }

    public ExtractLimits limits() {
        return limits;
    }

    private static String versionOf() {
        var v = AutoDetectParser.class.getPackage().getImplementationVersion();
        return v == null ? "3" : v;
    }

    /** The media type Tika detects from a document's bytes and name. */
    public MediaType detect(Path file, String filename) throws IOException {
        var metadata = new Metadata();
        if (filename != null) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, filename);
        }
        try (var in = TikaInputStream.get(file)) {
            return parser.getDetector().detect(in, metadata);
        }
    }

    /** Whether a parser for this type is present. */
    public boolean supports(MediaType type) {
        return supported.contains(type.getBaseType()) && !type.getBaseType().equals(MediaType.OCTET_STREAM);
    }

    /**
     * Extracts a document.
     *
     * @throws DocumentException when the document cannot be extracted (unsupported, encrypted,
     *                           corrupt, a zip bomb, too large, too slow)
     */
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
        var future = parsers.submit(() -> parse(file, filename));
        try {
            var result = future.get(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
            long ms = (System.nanoTime() - started) / 1_000_000;
            return new Extracted(result.text(), result.truncated(), result.metadata(), ms);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new DocumentException("extraction took longer than " + limits.timeout().toMillis()
                    + " ms and was stopped; the document may be malformed or too complex");
        } catch (ExecutionException e) {
            var cause = e.getCause();
            if (cause instanceof DocumentException d) {
                throw d;
            }
            if (cause instanceof OutOfMemoryError) {
                throw new DocumentException("the document needs more memory to extract than this server has");
            }
            log.warn("extraction of {} failed unexpectedly", filename, cause);
            throw new DocumentException("the document could not be read: " + cause, cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    private Extracted parse(Path file, String filename) throws IOException {
        var metadata = new Metadata();
        if (filename != null) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, filename);
        }
        var handler = new BodyContentHandler(limits.maxChars());
        boolean truncated = false;
        try (InputStream in = TikaInputStream.get(file)) {
            var type = parser.getDetector().detect(in, metadata);
            if (!supports(type)) {
                throw new DocumentException("unsupported document type " + type.getBaseType()
                        + "; supported: PDF, Word, Excel, PowerPoint, HTML and plain text");
            }
            parser.parse(in, handler, metadata, new ParseContext());
        } catch (SAXException e) {
            if (!WriteLimitReachedException.isWriteLimitReached(e)) {
                throw new DocumentException("the document could not be read: " + e.getMessage(), e);
            }
            truncated = true;
        } catch (EncryptedDocumentException e) {
            throw new DocumentException("the document is encrypted (password-protected); send it without the password", e);
        } catch (ZeroByteFileException e) {
            throw new DocumentException("the document is empty (0 bytes)", e);
        } catch (TikaException e) {
            throw new DocumentException(describe(e, metadata), e);
        }
        var text = handler.toString().strip();
        return new Extracted(text, truncated, metadata(metadata, text), 0);
    }

    private static String describe(TikaException e, Metadata metadata) {
        String message = String.valueOf(e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            var name = t.getClass().getSimpleName();
            if (name.equals("ZipBombException") || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("zip bomb")) {
                return "the document looks like a zip bomb (it expands far beyond its size or nests too deep) and was not extracted";
            }
            if (t instanceof EncryptedDocumentException || name.contains("Encrypted")) {
                return "the document is encrypted (password-protected); send it without the password";
            }
        }
        var type = metadata.get(Metadata.CONTENT_TYPE);
        return "the document is corrupt or not a valid " + (type == null ? "file" : type) + ": "
                + (message.length() > 300 ? message.substring(0, 300) + "…" : message);
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
        if (value != null && !(value instanceof String s && s.isBlank())) {
            out.put(key, value);
        }
    }

    @Override
    public void close() {
        parsers.shutdownNow();
    }
}
