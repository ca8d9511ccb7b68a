package io.spillway.pipeline;

import static io.spillway.store.testkit.ClaimedJobs.aClaimedJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.json.JobInput;
import io.spillway.core.store.InMemoryJobStore;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PipelineTaskTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final InMemoryJobStore checkpoints = new InMemoryJobStore();

    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    /** A task whose outcome a function of its input decides; counts its runs; its results' usage is its own. */
    TaskHandler task(String name, Function<JsonNode, Outcome> behaviour) {
        return task(name, behaviour, true);
    }

    TaskHandler task(String name, Function<JsonNode, Outcome> behaviour, boolean reportsUsage) {
        return new TaskHandler() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean reportsUsage() {
                return reportsUsage;
            }

            @Override
            public void validate(JobInput input) {
                if (input.json().contains("\"bad\"")) {
                    throw new InvalidInputException("bad input");
                }
            }

            @Override
            public List<Outcome> run(List<Job> batch) throws Exception {
                calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                return List.of(behaviour.apply(batch.getFirst().input().object()));
            }
        };
    }

    static Job job(String id, String input) {
        return aClaimedJob("doc").id(id).input(input).build();
    }

    PipelineSpec spec(String yaml, Set<String> tasks) throws Exception {
        return Pipelines.parse(YAML.readTree(yaml), "test", tasks).getFirst();
    }

    static final String DIAMOND = """
            pipelines:
              doc:
                steps:
                  read: {task: upper}
                  left: {task: length, needs: [read], input: {s: $read.text}}
                  right: {task: length, needs: [read], input: {s: $read.text, extra: true}}
                result: {text: $read.text, left: $left.n, right: $right.n, literal: $$5}
            """;

    @Test
    void steps_runInDependencyOrderAndTheResultIsTheTemplateFilledIn() throws Exception {
        var upper = task("upper", in -> Outcome.completed("{\"text\": \"" + in.get("text").asText().toUpperCase()
                + "\", \"usage\": {\"compute_ms\": 2, \"tokens\": 3}}"));
        var length = task("length", in -> Outcome.completed("{\"n\": " + in.get("s").asText().length() + "}"));
        var pipeline = new PipelineTask(spec(DIAMOND, Set.of("upper", "length")), Map.of("upper", upper, "length", length),
                checkpoints);

        var outcome = pipeline.run(List.of(job("j1", "{\"text\": \"hello\"}"))).getFirst();

        var result = JSON.readTree(((Outcome.Completed) outcome).resultJson());
        assertThat(result.get("text").asText()).isEqualTo("HELLO");
        assertThat(result.get("left").asInt()).isEqualTo(5);
        assertThat(result.get("right").asInt()).isEqualTo(5);
        assertThat(result.get("literal").asText()).isEqualTo("$5");
        assertThat(result.get("steps")).hasSize(3);
        assertThat(result.get("steps").get(0).get("step").asText()).isEqualTo("read");
        assertThat(result.get("steps").get(0).get("status").asText()).isEqualTo("completed");
        assertThat(result.get("steps").get(0).has("ms")).isTrue();
        assertThat(result.at("/usage/compute_ms").asLong()).isEqualTo(2);
        assertThat(result.at("/usage/model").asText()).isEqualTo("pipeline:doc");
        assertThat(checkpoints.attachmentGet("j1", "step/read")).as("checkpoints removed when done").isEmpty();
    }

    @Test
    void aStepWhoseTaskReportsNoUsage_addsNone_evenWhenItsResultSaysSo() throws Exception {
        var upper = task("upper", in -> Outcome.completed("{\"text\": \"A\", \"usage\": {\"compute_ms\": 2, \"cost\": 0.5}}"));
        // echo-like: its result is the client's input, usage and all
        var length = task("length", in -> Outcome.completed("{\"n\": 1, \"usage\": {\"compute_ms\": 1000, \"cost\": -99}}"), false);
        var pipeline = new PipelineTask(spec(DIAMOND, Set.of("upper", "length")), Map.of("upper", upper, "length", length),
                checkpoints);

        var result = JSON.readTree(((Outcome.Completed) pipeline.run(List.of(job("j2", "{\"text\": \"a\"}"))).getFirst())
                .resultJson());

        assertThat(result.at("/usage/compute_ms").asLong()).isEqualTo(2);
        assertThat(result.at("/usage/cost").asDouble()).isEqualTo(0.5);
    }

    @Test
    void independentSteps_runAtTheSameTime() throws Exception {
        var bothStarted = new CountDownLatch(2);
        var upper = task("upper", in -> Outcome.completed("{\"text\": \"x\"}"));
        var length = task("length", in -> {
            bothStarted.countDown();
            try {
                return bothStarted.await(10, TimeUnit.SECONDS) ? Outcome.completed("{\"n\": 1}") : Outcome.failed("alone");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        var pipeline = new PipelineTask(spec(DIAMOND, Set.of("upper", "length")), Map.of("upper", upper, "length", length),
                checkpoints);

        assertThat(pipeline.run(List.of(job("j2", "{\"text\": \"a\"}"))).getFirst()).isInstanceOf(Outcome.Completed.class);
    }

    @Test
    void aRetriedJob_doesNotRedoTheStepsThatCompleted() throws Exception {
        var flaky = new AtomicInteger();
        var upper = task("upper", in -> Outcome.completed("{\"text\": \"abc\"}"));
        var length = task("length", in -> in.has("extra") && flaky.getAndIncrement() == 0
                ? Outcome.retry("model busy") : Outcome.completed("{\"n\": 3}"));
        var pipeline = new PipelineTask(spec(DIAMOND, Set.of("upper", "length")), Map.of("upper", upper, "length", length),
                checkpoints);

        var first = pipeline.run(List.of(job("j3", "{\"text\": \"abc\"}"))).getFirst();
        assertThat(first).isInstanceOf(Outcome.Retry.class);
        assertThat(((Outcome.Retry) first).error()).contains("step right (task length)").contains("model busy");

        var second = pipeline.run(List.of(job("j3", "{\"text\": \"abc\"}"))).getFirst();
        var result = JSON.readTree(((Outcome.Completed) second).resultJson());
        assertThat(calls.get("upper").get()).as("read ran once").isEqualTo(1);
        assertThat(calls.get("length").get()).as("left once, right twice").isEqualTo(3);
        assertThat(result.get("steps").get(0).get("reused").asBoolean()).isTrue();
        assertThat(result.get("steps").get(1).get("reused").asBoolean()).isTrue();
        assertThat(result.get("steps").get(2).get("reused").asBoolean()).isFalse();
    }

    @Test
    void aStepThatFailsForGood_failsTheJobNamingTheStep() throws Exception {
        var upper = task("upper", in -> Outcome.failed("the document is encrypted"));
        var length = task("length", in -> Outcome.completed("{\"n\": 1}"));
        var pipeline = new PipelineTask(spec(DIAMOND, Set.of("upper", "length")), Map.of("upper", upper, "length", length),
                checkpoints);

        var outcome = pipeline.run(List.of(job("j4", "{\"text\": \"a\"}"))).getFirst();

        assertThat(outcome).isInstanceOf(Outcome.Failed.class);
        assertThat(((Outcome.Failed) outcome).error()).isEqualTo("step read (task upper) failed: the document is encrypted");
        assertThat(calls).doesNotContainKey("length");
    }

    @Test
    void validate_checksTheFirstStepsInputAtSubmit() throws Exception {
        var upper = task("upper", in -> Outcome.completed("{}"));
        var pipeline = new PipelineTask(spec(DIAMOND, Set.of("upper", "length")), Map.of("upper", upper,
                "length", task("length", in -> Outcome.completed("{}"))), checkpoints);

        assertThatThrownBy(() -> pipeline.validate(JobInput.ofJson("{\"text\": \"bad\"}"))).hasMessage("step read (task upper): bad input");
        assertThatThrownBy(() -> pipeline.validate(JobInput.ofJson("[]"))).hasMessageContaining("JSON object");
    }

    @Test
    void definitions_areValidatedWithClearMessages() {
        var tasks = Set.of("upper", "length");
        assertThatThrownBy(() -> spec("pipelines: {p: {steps: {a: {task: nope}}, result: {}}}", tasks))
                .isInstanceOf(PipelineException.class).hasMessageContaining("step a: unknown task 'nope'");
        assertThatThrownBy(() -> spec("pipelines: {p: {steps: {a: {task: upper, needs: [b]}, b: {task: upper, needs: [a]}}, "
                + "result: {}}}", tasks)).hasMessageContaining("cycle");
        assertThatThrownBy(() -> spec("pipelines: {p: {steps: {a: {task: upper, needs: [zz]}}, result: {}}}", tasks))
                .hasMessageContaining("needs unknown step 'zz'");
        assertThatThrownBy(() -> spec("pipelines: {p: {steps: {a: {task: upper}, b: {task: upper, input: {x: $a.y}}}, "
                + "result: {}}}", tasks)).hasMessageContaining("uses $a but the step does not need it");
        assertThatThrownBy(() -> spec("pipelines: {upper: {steps: {a: {task: upper}}, result: {}}}", tasks))
                .hasMessageContaining("already a task");
        assertThatThrownBy(() -> spec("pipelines: {p: {steps: {a: {task: upper, retries: 2}}, result: {}}}", tasks))
                .hasMessageContaining("unknown key 'retries'");
        assertThatThrownBy(() -> spec("pipelines: {p: {steps: {a: {task: upper}}, result: {x: $b}}}", tasks))
                .hasMessageContaining("'result' uses $b");
    }

    @Test
    void theBuiltInDocumentPipeline_loads() {
        var specs = Pipelines.load(null, Set.of("extract", "sentiment", "summarize"));

        assertThat(specs).extracting(PipelineSpec::name).containsExactly("document");
        assertThat(specs.getFirst().steps().keySet()).containsExactly("extract", "sentiment", "summary");
    }
}
