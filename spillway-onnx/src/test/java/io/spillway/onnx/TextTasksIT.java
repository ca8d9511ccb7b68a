package io.spillway.onnx;

import static io.spillway.store.testkit.ClaimedJobs.aClaimedJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.json.JobInput;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The text tasks on the built-in model, through their handlers. */
class TextTasksIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final TextLimits LIMITS = new TextLimits(2_000, 50_000);
    static Models models;

    @BeforeAll
    static void load() {
        models = Models.builtIn();
    }

    @AfterAll
    static void close() {
        models.close();
    }

    static Job job(String task, String input) {
        return aClaimedJob(task).input(input).build();
    }

    static JsonNode completed(TaskHandler task, String input) throws Exception {
        task.validate(JobInput.ofJson(input));
        var outcome = task.run(List.of(job(task.name(), input))).getFirst();
        assertThat(outcome).isInstanceOf(Outcome.Completed.class);
        return JSON.readTree(((Outcome.Completed) outcome).resultJson());
    }

    @Test
    void embed_returnsOneVectorPerTextWithUsage() throws Exception {
        var r = completed(new EmbedTask(models, LIMITS), "{\"texts\": [\"hello world\", \"good morning\"]}");

        assertThat(r.get("embeddings")).hasSize(2);
        assertThat(r.get("embeddings").get(0)).hasSize(384);
        assertThat(r.get("dim").asInt()).isEqualTo(384);
        assertThat(r.get("model").asText()).isEqualTo(ModelSpec.BUILT_IN);
        assertThat(r.at("/usage/tokens").asInt()).isEqualTo(8);
        assertThat(r.at("/usage/model").asText()).isEqualTo(ModelSpec.BUILT_IN);
        assertThat(r.at("/usage/compute_ms").isIntegralNumber()).isTrue();
    }

    @Test
    void embed_aBatchOfJobsAnswersEachInOrder() throws Exception {
        var task = new EmbedTask(models, LIMITS);
        var outcomes = task.run(List.of(job("embed", "{\"texts\": [\"a\"]}"), job("embed", "{\"texts\": []}"),
                job("embed", "{\"texts\": [\"b\", \"c\", \"d\"]}")));

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Completed.class);
        assertThat(outcomes.get(1)).isInstanceOf(Outcome.Failed.class);
        var third = JSON.readTree(((Outcome.Completed) outcomes.get(2)).resultJson());
        assertThat(third.get("embeddings")).hasSize(3);
    }

    @Test
    void classify_zeroShotRanksTheFittingLabelFirst() throws Exception {
        var r = completed(new ClassifyTask(models, LIMITS),
                "{\"text\": \"I was charged twice for my subscription this month\", "
                        + "\"labels\": [\"weather\", \"billing\", \"sports\"]}");

        var labels = r.get("labels");
        assertThat(labels).hasSize(3);
        assertThat(labels.get(0).get("label").asText()).isEqualTo("billing");
        double sum = 0;
        for (var l : labels) {
            sum += l.get("score").asDouble();
        }
        assertThat(sum).isBetween(0.999, 1.001);
        assertThat(labels.get(0).get("score").asDouble()).isGreaterThan(labels.get(1).get("score").asDouble());
    }

    @Test
    void sentiment_labelsClearTextAndHandlesContrast() throws Exception {
        var task = new SentimentTask(models, LIMITS);

        assertThat(completed(task, "{\"text\": \"Absolutely love it, works perfectly.\"}").get("label").asText())
                .isEqualTo("positive");
        assertThat(completed(task, "{\"text\": \"Broken on arrival and support never answered.\"}").get("label").asText())
                .isEqualTo("negative");
        var r = completed(task, "{\"text\": \"The package is 30 cm wide.\"}");
        assertThat(r.get("label").asText()).isEqualTo("neutral");
        assertThat(r.get("scores").get("neutral").asDouble()).isEqualTo(r.get("score").asDouble());
        assertThat(r.at("/usage/model").asText()).isEqualTo(SentimentTask.BUILT_IN);
    }

    @Test
    void sentiment_ofALongTextAveragesItsPassages() throws Exception {
        var text = "The hotel was wonderful and the staff were kind. ".repeat(30);

        var r = completed(new SentimentTask(models, LIMITS), JSON.writeValueAsString(Map.of("text", text)));

        assertThat(r.get("label").asText()).isEqualTo("positive");
        assertThat(SentimentTask.passages(text)).hasSizeGreaterThan(1);
    }

    @Test
    void summarize_picksCentralSentencesInDocumentOrder() throws Exception {
        var text = "The city council approved the new budget on Monday. "
                + "The budget increases spending on schools and public transport. "
                + "My cat likes to sleep in the sun. "
                + "Council members said the budget balances schools, transport and housing. "
                + "Critics argue the budget does too little for housing. "
                + "Bananas are rich in potassium.";

        var r = completed(new SummarizeTask(models, LIMITS),
                JSON.writeValueAsString(Map.of("text", text, "max_sentences", 2)));

        var summary = r.get("summary").asText();
        assertThat(r.get("sentences")).hasSize(2);
        assertThat(summary).contains("budget").doesNotContain("cat").doesNotContain("Bananas");
        assertThat(r.get("sentences").get(0).get("index").asInt()).isLessThan(r.get("sentences").get(1).get("index").asInt());
    }

    @Test
    void summarize_ofAShortTextIsTheText() throws Exception {
        var r = completed(new SummarizeTask(models, LIMITS), "{\"text\": \"One sentence only.\"}");

        assertThat(r.get("summary").asText()).isEqualTo("One sentence only.");
    }

    @Test
    void badInput_isRefusedAtSubmitWithAClearReason() {
        var embed = new EmbedTask(models, LIMITS);
        var classify = new ClassifyTask(models, LIMITS);
        var sentiment = new SentimentTask(models, LIMITS);
        var summarize = new SummarizeTask(models, LIMITS);

        assertThatThrownBy(() -> embed.validate(JobInput.ofJson("{\"texts\": [\"\"]}"))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> embed.validate(JobInput.ofJson("{\"texts\": [\"" + "x".repeat(2_001) + "\"]}")))
                .hasMessageContaining("at most 2000").hasMessageContaining("max_text_chars");
        assertThatThrownBy(() -> embed.validate(JobInput.ofJson("{\"texts\": [\"a\"], \"model\": \"gpt-9\"}")))
                .hasMessageContaining("no model named 'gpt-9'").hasMessageContaining(ModelSpec.BUILT_IN);
        assertThatThrownBy(() -> classify.validate(JobInput.ofJson("{\"text\": \"hi\"}"))).hasMessageContaining("'labels' is required");
        assertThatThrownBy(() -> classify.validate(JobInput.ofJson("{\"text\": \"hi\", \"labels\": [\"a\"]}")))
                .hasMessageContaining("at least 2 labels");
        assertThatThrownBy(() -> classify.validate(JobInput.ofJson("{\"text\": \"hi\", \"labels\": [\"a\", \"a\"]}")))
                .hasMessageContaining("must not repeat");
        assertThatThrownBy(() -> classify.validate(JobInput.ofJson("{\"labels\": [\"a\", \"b\"]}"))).hasMessageContaining("'text' is required");
        assertThatThrownBy(() -> sentiment.validate(JobInput.ofJson("{\"text\": \"   \"}"))).hasMessageContaining("non-empty string");
        assertThatThrownBy(() -> sentiment.validate(JobInput.ofJson("{\"text\": \"hi\", \"model\": \"" + ModelSpec.BUILT_IN + "\"}")))
                .hasMessageContaining("needs a text-classification model");
        assertThatThrownBy(() -> summarize.validate(JobInput.ofJson("{\"text\": \"hi\", \"max_sentences\": 0}")))
                .hasMessageContaining("'max_sentences' must be a whole number from 1 to 50");
        assertThatThrownBy(() -> summarize.validate(JobInput.ofJson("[1, 2]"))).hasMessageContaining("JSON object");
    }
}
