package io.spillway.onnx;

/** Where ONNX Runtime runs a model. */
public enum Device {
    CPU("cpu"),
    /** ONNX Runtime's CUDA execution provider: needs the onnxruntime_gpu build and an NVIDIA GPU. */
    CUDA("cuda");

    private final String wireName;

    Device(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Device parse(String s) {
        for (var d : values()) {
            if (d.wireName.equals(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("device must be cpu or cuda, not '" + s + "'");
    }
}
