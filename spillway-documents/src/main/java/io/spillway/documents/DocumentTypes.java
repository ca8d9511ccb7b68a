package io.spillway.documents;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipFile;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;

/**
 * The type of an uploaded document, checked cheaply where it is received: from its first bytes
 * and its name, and for a zip without a telling name from the names of its entries. Nothing of
 * the document is expanded or parsed here (that happens in extraction, under its limits), so a
 * hostile upload cannot cost the receiving process more than reading a few bytes and a zip's
 * directory. Extraction checks the type again from the document's content. Thread-safe.
 */
public final class DocumentTypes {
    private static final MediaType ZIP = MediaType.application("zip");
    private static final MediaType OOXML = MediaType.application("x-tika-ooxml");
    /** The part each OOXML format cannot be without, by the type it makes the zip. */
    private static final Map<String, MediaType> OOXML_MAIN_PARTS = Map.of(
            "word/document.xml", MediaType.application("vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "xl/workbook.xml", MediaType.application("vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "ppt/presentation.xml", MediaType.application("vnd.openxmlformats-officedocument.presentationml.presentation"));

    private final MimeTypes mimeTypes = MimeTypes.getDefaultMimeTypes();
    private final Set<MediaType> supported;

    /** Loads Tika's parsers to learn what they read (most of a second). */
    public DocumentTypes() {
        this(new AutoDetectParser().getSupportedTypes(new ParseContext()));
    }

    /** @param supported the types the parsers read */
    DocumentTypes(Set<MediaType> supported) {
        this.supported = Set.copyOf(supported);
    }

    /** The media type of a document, from its first bytes and its name. */
    public MediaType detect(Path file, String filename) throws IOException {
        var metadata = new Metadata();
        if (filename != null) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, filename);
        }
        MediaType type;
        try (var in = new BufferedInputStream(Files.newInputStream(file))) {
            type = mimeTypes.detect(in, metadata);
        }
        if (type.getBaseType().equals(ZIP) || type.getBaseType().equals(OOXML)) {
            return byEntryNames(file, type);
        }
        return type;
    }

    /** Reads only the zip's central directory: no entry is expanded. */
    private static MediaType byEntryNames(Path file, MediaType otherwise) {
        try (var zip = new ZipFile(file.toFile())) {
            for (var part : OOXML_MAIN_PARTS.entrySet()) {
                if (zip.getEntry(part.getKey()) != null) {
                    return part.getValue();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not a readable zip: the type from the bytes stands
        }
        return otherwise;
    }

    /** Whether a parser for this type is present. */
    public boolean supports(MediaType type) {
        return supported.contains(type.getBaseType()) && !type.getBaseType().equals(MediaType.OCTET_STREAM);
    }
}
