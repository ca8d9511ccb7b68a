package io.spillway.onnx;

/** What a model's output means. */
public enum ModelKind {
    /** Token states (pooled here) or a pooled vector per text; vectors are L2-normalised. */
    EMBEDDING("embedding"),
    /** One logit per label per text; turned into probabilities with softmax. */
    TEXT_CLASSIFICATION("text-classification");

    private final String wireName;

    ModelKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ModelKind parse(String s) {
        for (var k : values()) {
            if (k.wireName.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("kind must be embedding or text-classification, not '" + s + "'");
    }
}
