package io.spillway.documents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * Writes sample PDFs: a report of N pages of plain English prose with a title and author, for
 * benchmarks ({@code spillway bench sample-pdf}) and tests; optionally password-protected.
 */
public final class SamplePdf {
    private static final String[] PARAGRAPHS = {
        "The regional transport authority reported that ridership on the new light rail line grew steadily "
                + "through the year. Commuters praised the frequent service and the clean, quiet trains.",
        "Costs were higher than planned because of delays at two stations, where contractors found old "
                + "utility lines that had to be moved before construction could continue.",
        "The authority expects the line to cover its operating costs within three years if ridership keeps "
                + "growing at the current pace and fares stay as they are.",
        "Local businesses near the stations said foot traffic increased, and several new cafes and shops "
                + "opened along the route during the second half of the year.",
        "Residents raised concerns about noise at night and about parking near the terminal station, "
                + "which the authority promised to address in the coming months.",
        "Overall, the report concludes that the project has been a success for the city, improving travel "
                + "times and bringing new life to neighbourhoods along the line.",
    };

    private SamplePdf() {
    }

    /** Writes a PDF of {@code pages} pages to {@code file}; with a password when {@code password} is not null. */
    public static void write(Path file, int pages, String password) throws IOException {
        try (var doc = new PDDocument()) {
            var info = doc.getDocumentInformation();
            info.setTitle("Light Rail Annual Report");
            info.setAuthor("Regional Transport Authority");
            var created = Calendar.getInstance();
            created.set(2026, Calendar.MARCH, 14, 9, 30, 0);
            info.setCreationDate(created);
            var font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (int p = 0; p < pages; p++) {
                var page = new PDPage();
                doc.addPage(page);
                try (var content = new PDPageContentStream(doc, page)) {
                    content.beginText();
                    content.setFont(font, 11);
                    content.setLeading(15);
                    content.newLineAtOffset(60, 720);
                    content.showText("Section " + (p + 1));
                    content.newLine();
                    content.newLine();
                    for (int i = 0; i < 6; i++) {
                        for (var line : wrap(PARAGRAPHS[(p + i) % PARAGRAPHS.length], 90)) {
                            content.showText(line);
                            content.newLine();
                        }
                        content.newLine();
                    }
                    content.endText();
                }
            }
            if (password != null) {
                var policy = new StandardProtectionPolicy(password, password, new AccessPermission());
                policy.setEncryptionKeyLength(128);
                doc.protect(policy);
            }
            doc.save(file.toFile());
        }
    }

    private static List<String> wrap(String text, int width) {
        var lines = new ArrayList<String>();
        var line = new StringBuilder();
        for (var word : text.split(" ")) {
            if (line.length() + word.length() + 1 > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
