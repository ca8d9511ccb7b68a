package io.spillway.app;

import io.spillway.bench.DocumentBenchmark;
import io.spillway.bench.EmbedBenchmark;
import io.spillway.bench.EngineBenchmark;
import io.spillway.bench.LoadGenerator;
import io.spillway.bench.LoadReport;
import io.spillway.bench.LoadSpec;
import io.spillway.bench.MixedLoad;
import io.spillway.bench.PickupProbe;
import io.spillway.documents.SamplePdf;
import io.spillway.llm.LlmRepository;
import io.spillway.onnx.BatchObserver;
import io.spillway.onnx.ModelRepository;
import io.spillway.onnx.ModelSpec;
import io.spillway.onnx.Models;
import io.spillway.onnx.OnnxModel;
import io.spillway.server.config.ServerConfig;
import io.spillway.server.http.BareServer;
import io.spillway.store.sqlite.Durability;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spillway bench}: the load generator and the benchmarks behind bench/RESULTS.md. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: drive a running server with load, measure the engine alone, or run the bare HTTP baseline.",
        subcommands = {BenchCommand.Load.class, BenchCommand.Probe.class, BenchCommand.EngineBench.class, BenchCommand.EmbedRaw.class,
                BenchCommand.DocumentsBench.class, BenchCommand.Mixed.class, BenchCommand.SamplePdfCommand.class,
                BenchCommand.Bare.class})
public final class BenchCommand {

    @Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Send jobs to a running server and report throughput and latency (HdrHistogram).",
                    "Closed loop by default (each connection sends as soon as it has an answer); --rate makes it open "
                            + "loop (a fixed arrival rate; latency counts from each request's intended start).",
                    "Prints a summary and a last line of key=value figures."})
    static final class Load implements Callable<Integer> {
        @Option(names = "--url", description = "server base URL (default ${DEFAULT-VALUE})", defaultValue = "http://127.0.0.1:8080")
        URI url;
        @Option(names = {"-c", "--connections"}, description = "keep-alive connections (default ${DEFAULT-VALUE})", defaultValue = "64")
        int connections;
        @Option(names = {"-d", "--duration"}, description = "seconds to send, warm-up included (default ${DEFAULT-VALUE})", defaultValue = "10")
        double duration;
        @Option(names = "--warmup", description = "seconds sent but not measured (default ${DEFAULT-VALUE})", defaultValue = "2")
        double warmup;
        @Option(names = "--rate", description = "requests per second, open loop (default: closed loop)", defaultValue = "0")
        double rate;
        @Option(names = "--body", description = "JSON body to POST to /v1/jobs, or @file (default: a small echo job)")
        String body;
        @Option(names = "--wait", description = "after sending, wait for every accepted job and report the end-to-end rate")
        boolean await;

        @Override
        public Integer call() throws Exception {
            byte[] bytes = body == null ? LoadSpec.echoBody()
                    : body.startsWith("@") ? Files.readAllBytes(Path.of(body.substring(1))) : body.getBytes(StandardCharsets.UTF_8);
            var spec = new LoadSpec(url.getHost(), url.getPort() < 0 ? 80 : url.getPort(), "/v1/jobs", bytes, connections,
                    LoadGenerator.seconds(duration), LoadGenerator.seconds(warmup), rate, await);
            print(new LoadGenerator(spec).run(), "load " + url);
            return 0;
        }
    }

    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "Pickup latency on an idle server: one echo job at a time, each long-polled to the end; "
                    + "reports commit-to-start (from the jobs' own times) and submit-to-completed.")
    static final class Probe implements Callable<Integer> {
        @Option(names = "--url", description = "server base URL (default ${DEFAULT-VALUE})", defaultValue = "http://127.0.0.1:8080")
        URI url;
        @Option(names = "--probes", defaultValue = "200", description = "jobs (default ${DEFAULT-VALUE})")
        int probes;
        @Option(names = "--pause-ms", defaultValue = "20", description = "idle time between jobs (default ${DEFAULT-VALUE})")
        long pause;

        @Override
        public Integer call() throws Exception {
            print(PickupProbe.run(url.getHost(), url.getPort() < 0 ? 80 : url.getPort(), probes, pause), "probe " + url);
            return 0;
        }
    }

    @Command(name = "engine", mixinStandardHelpOptions = true,
            description = "The engine and the SQLite store alone, in process, no HTTP: no-op jobs per second from submit "
                    + "to recorded completion, and the pickup delay (commit to handler start) on an idle engine.")
    static final class EngineBench implements Callable<Integer> {
        @Option(names = "--jobs", defaultValue = "200000", description = "jobs to run (default ${DEFAULT-VALUE})")
        int jobs;
        @Option(names = "--submitters", defaultValue = "8", description = "submitting threads (default ${DEFAULT-VALUE})")
        int submitters;
        @Option(names = "--probes", defaultValue = "1000", description = "one-at-a-time jobs for the pickup delay (default ${DEFAULT-VALUE})")
        int probes;
        @Option(names = "--worker-threads", defaultValue = "2", description = "worker threads (default ${DEFAULT-VALUE})")
        int workerThreads;
        @Option(names = "--durability", defaultValue = "crash", description = "crash or fsync (default ${DEFAULT-VALUE})")
        String durability;
        @Option(names = "--dir", description = "directory for the benchmark's store (default: a new temp directory)")
        Path dir;

        @Override
        public Integer call() throws Exception {
            var d = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("spillway-engine-bench");
            print(EngineBenchmark.run(d, Durability.fromWire(durability), jobs, submitters, probes, workerThreads), "engine");
            return 0;
        }
    }

    @Command(name = "embed-raw", mixinStandardHelpOptions = true,
            description = "An embedding model alone, in process, without the runner: N threads each calling it with "
                    + "a batch of texts as fast as it answers; texts per second and the single-call latency. Compare "
                    + "with embed jobs through the API (spillway bench load --body with task embed). Runs a "
                    + "repository model (device cpu or cuda) unchanged with --model.")
    static final class EmbedRaw implements Callable<Integer> {
        @Option(names = "--threads", defaultValue = "2", description = "concurrent calls (default ${DEFAULT-VALUE})")
        int threads;
        @Option(names = {"-d", "--duration"}, defaultValue = "10", description = "seconds (default ${DEFAULT-VALUE})")
        double duration;
        @Option(names = "--text", description = "the text (default: a 30-token sentence)",
                defaultValue = "The quarterly report shows that revenue grew by twelve percent while costs stayed flat, "
                        + "which pleased the board and most of the investors.")
        String text;
        @Option(names = "--batch", defaultValue = "1", description = "texts per call (default ${DEFAULT-VALUE})")
        int batch;
        @Option(names = "--model", defaultValue = ModelSpec.BUILT_IN,
                description = "model name (default ${DEFAULT-VALUE})")
        String model;
        @Option(names = "--models-dir", defaultValue = "./models", description = "model repository (default ${DEFAULT-VALUE})")
        Path modelsDir;
        @Option(names = "--intra-op", defaultValue = "0", description = "ONNX Runtime intra-op threads per call (default: the model's)")
        int intraOp;

        @Override
        public Integer call() throws Exception {
            var local = ModelRepository.scan(modelsDir, LlmRepository::isRemote);
            var specs = Models.of(local,
                    BatchObserver.NONE);
            var configured = specs.spec(model).orElseThrow(() -> new IllegalArgumentException("no model named " + model));
            var spec = intraOp <= 0 ? configured : new ModelSpec(configured.name(), configured.kind(),
                    configured.dir(), configured.labels(), configured.maxBatch(), configured.concurrency(), intraOp,
                    configured.device(), configured.maxTokens(), configured.batchWait(),
                    configured.pricePerComputeSecond());
            try (var m = OnnxModel.load(spec)) {
                var report = EmbedBenchmark.run(
                        texts -> m.run(texts.stream().map(m::encode).toList()), text, threads, batch, duration);
                print(report, "embed-raw");
            }
            return 0;
        }
    }

    @Command(name = "documents", mixinStandardHelpOptions = true,
            description = "Upload a document to a running server again and again (POST /v1/documents), each client "
                    + "waiting for its job: documents per second, latency, and the mean time of each pipeline step.")
    static final class DocumentsBench implements Callable<Integer> {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "server (default ${DEFAULT-VALUE})")
        URI url;
        @Option(names = "--file", required = true, description = "the document to upload (see bench sample-pdf)")
        Path file;
        @Option(names = "--task", defaultValue = "document", description = "task or pipeline (default ${DEFAULT-VALUE})")
        String task;
        @Option(names = {"-n", "--documents"}, defaultValue = "100", description = "documents to send (default ${DEFAULT-VALUE})")
        int documents;
        @Option(names = {"-c", "--connections"}, defaultValue = "4", description = "concurrent clients (default ${DEFAULT-VALUE})")
        int connections;

        @Override
        public Integer call() throws Exception {
            var bytes = Files.readAllBytes(file);
            print(DocumentBenchmark.run(url, bytes, file.getFileName().toString(), task, documents, connections),
                    "documents");
            return 0;
        }
    }

    @Command(name = "mixed", mixinStandardHelpOptions = true,
            description = "Interactive jobs beside a batch backlog on a running server, in three phases: interactive "
                    + "alone, the batch backlog alone, both: the interactive jobs' latency (submit to completed) and "
                    + "the batch task's drain rate in each.")
    static final class Mixed implements Callable<Integer> {
        private static final String TEXT = "The committee met on Tuesday to review the budget. Revenue grew by twelve "
                + "percent over the year. Costs stayed flat thanks to the new suppliers. The board praised the team. "
                + "Investors asked about the delayed product launch. The chief executive promised a date by spring. "
                + "Staff numbers rose slightly in the northern offices. The audit found no problems. A new chair will "
                + "be elected in June. The meeting ended with a vote on the dividend.";

        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "server (default ${DEFAULT-VALUE})")
        URI url;
        @Option(names = {"-d", "--seconds"}, defaultValue = "20", description = "length of each phase (default ${DEFAULT-VALUE})")
        int seconds;
        @Option(names = "--rate", defaultValue = "20", description = "interactive jobs per second (default ${DEFAULT-VALUE})")
        double rate;
        @Option(names = "--backlog", defaultValue = "200", description = "batch jobs kept pending (default ${DEFAULT-VALUE})")
        int backlog;

        @Override
        public Integer call() throws Exception {
            var interactive = "{\"task\": \"embed\", \"priority\": \"interactive\", \"input\": {\"texts\": "
                    + "[\"where is my parcel number {n}\"]}}";
            var batch = "{\"task\": \"summarize\", \"priority\": \"batch\", \"input\": {\"text\": \"" + TEXT
                    + "\", \"max_sentences\": 2}}";
            print(new MixedLoad(url, Duration.ofSeconds(seconds), rate, backlog, interactive, batch, "summarize").run(),
                    "mixed " + url);
            return 0;
        }
    }

    @Command(name = "sample-pdf", mixinStandardHelpOptions = true,
            description = "Write a sample PDF report (English prose, title and author) for the documents benchmark.")
    static final class SamplePdfCommand implements Callable<Integer> {
        @Option(names = "--pages", defaultValue = "5", description = "pages (default ${DEFAULT-VALUE})")
        int pages;
        @Option(names = {"-o", "--out"}, required = true, description = "the file to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            SamplePdf.write(out, pages, null);
            System.err.println("wrote " + out + " (" + pages + " pages, " + Files.size(out) + " bytes)");
            return 0;
        }
    }

    @Command(name = "bare-server", mixinStandardHelpOptions = true,
            description = "The HTTP baseline: Javalin set up like the real server, answering POST /v1/jobs with 202 and "
                    + "storing nothing. Runs until stopped.")
    static final class Bare implements Callable<Integer> {
        @Option(names = "--port", defaultValue = "8081", description = "port (default ${DEFAULT-VALUE})")
        int port;
        @Option(names = "--virtual-threads", description = "serve on virtual threads")
        boolean virtualThreads;

        @Override
        public Integer call() throws Exception {
            var config = ServerConfig.of(Map.of("port", String.valueOf(port), "virtual_threads", String.valueOf(virtualThreads)));
            var app = BareServer.create(config).start();
            System.err.println("bare server listening on http://" + config.host() + ":" + app.port());
            new CountDownLatch(1).await();
            return 0;
        }
    }

    private static void print(LoadReport report, String what) {
        System.out.println(what + ":");
        System.out.print(report.summary());
        System.out.println(report.line());
    }
}
