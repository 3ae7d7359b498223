package io.llmft.runner;

import java.nio.file.Path;

/**
 * What the main job runs: where the services' builds and the artifact store are, which base model
 * to finetune, where the judge is, and the knobs that decide how long it takes. The defaults are a
 * random-init GPT-2 small enough for a few minutes on 2 CPU cores.
 */
public final class RunnerOptions {
  public Path repository = Path.of("").toAbsolutePath();
  public Path artifacts = Path.of("data").toAbsolutePath();
  public String kafka = env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
  public String ollama = env("OLLAMA_HOST", "http://localhost:11434");

  /**
   * The operator key the services it starts accept (their {@code API_KEYS}) and it calls them with:
   * {@code $API_KEY} when set, else a new random one per run.
   */
  public String apiKey = env("API_KEY", null);

  /**
   * Conversations to finetune on instead of the book's rows: {@code sample} (the bundled chat
   * sample) or a JSON or JSON Lines file of messages or ShareGPT conversations; null for the
   * book's.
   */
  public String chat;

  /** A Hugging Face GPT-2 directory; null for a random initialisation of the config below. */
  public String baseModelPath;

  /** Environment the services get besides what they inherit (e.g. OTEL_*, LOG_JSON). */
  public final java.util.Map<String, String> serviceEnv = new java.util.HashMap<>();

  /** Directories besides the store's imports/ that the services may read local paths from. */
  public final java.util.List<String> importRoots = new java.util.ArrayList<>();

  public int embDim = 64;
  public int layers = 2;
  public int heads = 4;
  public int contextLength = 1024;

  /** Training settings; null: {@link TrainingPlan} chooses (the book's, or from-scratch ones). */
  public Integer epochs;

  public Double learningRate;
  public Integer warmupSteps;
  public String lrDecay;
  public Integer evalFreq;
  public Integer maxSteps;
  public int maxNewTokens = 64;

  /** DPO's beta when the run tunes the finetuned model on preferences (--dpo), else null. */
  public Double dpoBeta;

  public int inferenceBatchSize = 8;
  public int portBase = 8081;
  public int timeoutMinutes = 60;

  public static final String USAGE =
      """
      usage: scripts/run-pipeline.sh [options]
        --base-model DIR       finetune this Hugging Face model directory: GPT-2, or Llama 3.2 / Qwen3 with its tokenizer.json
                               instead of the default random-init config
        --config E,L,H,C       random-init size: emb_dim, n_layers, n_heads, context_length (default 64,2,4,1024)
        --epochs N             training epochs (default: the book's 2 for --base-model, 5 from scratch)
        --learning-rate X      AdamW's (peak) rate (default: the book's 5e-5 for --base-model, 1e-3 from scratch)
        --warmup-steps N       linear warmup of the rate (default: none for --base-model, 30 from scratch)
        --lr-decay none|cosine after the warmup (default: none for --base-model, cosine from scratch)
        --eval-freq N          steps between evaluations (default: the book's 5 for --base-model, 25 from scratch)
        --max-steps N          stop training after N optimizer steps
        --chat FILE|sample     finetune on conversations (a JSON or JSON Lines file of OpenAI messages or
                               ShareGPT conversations, or the bundled sample) in the base model's chat
                               template, ChatML for a GPT-2; the test conversations' last turns are answered
        --dpo BETA             preference tuning after finetuning: the book's preference data, SFT, then DPO
                               (the notebook's settings, this beta, --max-steps too) of the SFT model;
                               both models' responses are generated and the judge compares them
        --max-new-tokens N     tokens generated per test entry (default 64; the book uses 256)
        --inference-batch-size N  test entries decoded together (default 8; 1 = one at a time)
        --artifacts DIR        artifact store (default ./data)
        --ollama URL           the judge (default $OLLAMA_HOST or http://localhost:11434)
        --kafka HOST:PORT      bootstrap servers (default $KAFKA_BOOTSTRAP_SERVERS or localhost:9092)
        --port-base N          HTTP ports N..N+3 for dataset, trainer, inference, scoring (default 8081)
        --timeout-minutes N    give up after N minutes (default 60)
      """;

  /** The key of this run: the configured one, or 32 random bytes, base64url. */
  public String apiKey() {
    if (apiKey == null) {
      byte[] bytes = new byte[32];
      new java.security.SecureRandom().nextBytes(bytes);
      apiKey = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
    return apiKey;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  /**
   * @throws IllegalArgumentException with the problem, or an empty message for {@code --help}
   */
  public static RunnerOptions parse(String... args) {
    RunnerOptions o = new RunnerOptions();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new IllegalArgumentException("");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + flag);
      }
      String v = args[++i];
      switch (flag) {
        case "--base-model" -> {
          o.baseModelPath = Path.of(v).toAbsolutePath().toString();
          o.importRoots.add(o.baseModelPath);
        }
        case "--config" -> {
          String[] p = v.split(",");
          if (p.length != 4) {
            throw new IllegalArgumentException(
                "--config takes emb_dim,n_layers,n_heads,context_length");
          }
          o.embDim = Integer.parseInt(p[0].trim());
          o.layers = Integer.parseInt(p[1].trim());
          o.heads = Integer.parseInt(p[2].trim());
          o.contextLength = Integer.parseInt(p[3].trim());
        }
        case "--epochs" -> o.epochs = Integer.parseInt(v);
        case "--learning-rate" -> o.learningRate = Double.parseDouble(v);
        case "--warmup-steps" -> o.warmupSteps = Integer.parseInt(v);
        case "--lr-decay" -> o.lrDecay = v;
        case "--eval-freq" -> o.evalFreq = Integer.parseInt(v);
        case "--max-steps" -> o.maxSteps = Integer.parseInt(v);
        case "--max-new-tokens" -> o.maxNewTokens = Integer.parseInt(v);
        case "--dpo" -> o.dpoBeta = Double.parseDouble(v);
        case "--chat" -> {
          if (v.equals("sample")) {
            o.chat = v;
          } else {
            o.chat = Path.of(v).toAbsolutePath().toString();
            o.importRoots.add(o.chat);
          }
        }
        case "--inference-batch-size" -> o.inferenceBatchSize = Integer.parseInt(v);
        case "--artifacts" -> o.artifacts = Path.of(v).toAbsolutePath();
        case "--ollama" -> o.ollama = v;
        case "--kafka" -> o.kafka = v;
        case "--port-base" -> o.portBase = Integer.parseInt(v);
        case "--timeout-minutes" -> o.timeoutMinutes = Integer.parseInt(v);
        case "--repository" -> o.repository = Path.of(v).toAbsolutePath();
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    if (o.chat != null && o.dpoBeta != null) {
      throw new IllegalArgumentException("--chat and --dpo together are not supported yet");
    }
    return o;
  }
}
