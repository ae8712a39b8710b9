import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from conftest import shared
from paintflow import PaintflowError, vgg
from paintflow.files import is_intact, read_rgb


@pytest.fixture(scope="module")
def converted():
    return vgg.convert("auto")


def onnx_activation(image_bgr_caffe: np.ndarray, tensor_name: str) -> np.ndarray:
    model = onnx.load(str(vgg.default_onnx_path()))
    model.graph.output.append(onnx.helper.make_tensor_value_info(tensor_name, onnx.TensorProto.FLOAT, None))
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run([tensor_name], {"input": image_bgr_caffe[None].astype(np.float32)})[0]


@pytest.mark.parametrize(
    "ours,theirs", [("relu1_2", "block1_conv2_1"), ("relu3_3", "block3_conv3_1"), ("relu5_3", "block5_conv3_1")]
)
def test_torch_features_equal_onnxruntime(converted, ours, theirs):
    rgb = cv2.resize(read_rgb(shared("content", "astronaut.png")), (240, 240), interpolation=cv2.INTER_AREA)
    rgb = rgb.astype(np.float32) / 255
    caffe = rgb[..., ::-1] * 255 - np.array(vgg.CAFFE_MEAN_BGR, np.float32)
    reference = onnx_activation(caffe, f"functional_1/{theirs}/Relu:0")
    net = vgg.VGGFeatures(converted)
    with torch.no_grad():
        feats = net(torch.from_numpy(rgb).permute(2, 0, 1)[None].contiguous(), [ours])[ours].numpy()
    assert feats.shape == reference.shape
    scale = np.abs(reference).max()
    assert scale > 1
    assert np.abs(feats - reference).max() < 1e-4 * scale


def test_a_deep_layer_of_a_tiny_picture_is_the_same_every_run(converted):
    """relu5_1 of a 16×16 picture is a 1×1 map: its gradient (a dream's step) was different run to run with
    2 threads (a channels-last convolution's backward); it is now the same, and still the convolution's."""
    net = vgg.VGGFeatures(converted)
    x0 = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        grads = []
        for _ in range(6):
            x = x0.clone().requires_grad_(True)
            (net(x, ["relu5_1"])["relu5_1"] ** 2).mean().backward()
            grads.append(x.grad)
    finally:
        torch.set_num_threads(threads)
    assert all(torch.equal(g, grads[0]) for g in grads)
    with torch.no_grad():  # the same numbers as the convolution itself (on a plain-layout copy)
        deep = net(x0, ["relu4_3"])["relu4_3"]
        conv = net.net._modules["conv5_1"]
        pooled = torch.nn.functional.max_pool2d(deep.contiguous(), 2)
        want = torch.relu(torch.nn.functional.conv2d(pooled, conv.weight.contiguous(), conv.bias, padding=1))
        assert torch.allclose(net(x0, ["relu5_1"])["relu5_1"], want, rtol=1e-4, atol=1e-3)


def test_conversion_shapes(converted):
    assert converted["depth"] == 16 and converted["preprocess"] == "caffe"
    shapes = [tuple(w.shape) for w, _ in converted["convs"]]
    assert shapes[0] == (64, 3, 3, 3) and shapes[-1] == (512, 512, 3, 3) and len(shapes) == 13


def test_torchvision_state_dict_is_read_in_layer_order(tmp_path, converted):
    # torchvision's vgg16 layout: features.<index>.weight with ReLU/pool indices in between
    conv_indices = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
    state = {}
    for i, (w, b) in zip(conv_indices, converted["convs"]):
        state[f"features.{i}.weight"], state[f"features.{i}.bias"] = w, b
    state["classifier.0.weight"] = torch.zeros(4, 4)
    path = tmp_path / "vgg16-397923af.pth"
    torch.save(state, path)
    loaded = vgg.convert(str(path))
    assert loaded["depth"] == 16 and loaded["preprocess"] == "torchvision"
    for (w1, b1), (w2, b2) in zip(loaded["convs"], converted["convs"]):
        assert torch.equal(w1, w2) and torch.equal(b1, b2)


def test_cached_weights_round_trip(tmp_path, converted):
    path = tmp_path / "vgg.pt"
    vgg.save(converted, path)
    x = torch.rand(1, 3, 32, 48)
    a = vgg.VGGFeatures(converted)(x, ["relu4_2"])["relu4_2"]
    b = vgg.load(path)(x, ["relu4_2"])["relu4_2"]
    assert torch.equal(a, b)


def test_missing_weights_file_is_a_clear_error(tmp_path):
    with pytest.raises(PaintflowError, match="file not found"):
        vgg.convert(str(tmp_path / "nope.pth"))


def test_the_machine_model_cache_converts_once_and_links_after(tmp_path, monkeypatch):
    from paintflow import model_cache

    monkeypatch.setenv("PAINTFLOW_CACHE", str(tmp_path / "cache"))
    made = []

    def convert(out):
        made.append(out)
        vgg.save({"depth": 16, "stand-in": torch.arange(4)}, out)

    first, second = tmp_path / "a/results/models/vgg-k.pt", tmp_path / "b/results/models/vgg-k.pt"
    assert model_cache.cached(first, "vgg", convert) is False
    assert model_cache.cached(second, "vgg", convert) is True  # another project: linked, not converted
    assert made == [first] and second.stat().st_ino == first.stat().st_ino
    [entry] = (tmp_path / "cache/models").iterdir()
    assert entry.name == f"vgg-k-{model_cache.fingerprint('vgg')}.pt"

    entry.unlink()  # a damaged entry (cut short) is converted again, and replaced
    entry.write_bytes(first.read_bytes()[:100])
    third = tmp_path / "c/vgg-k.pt"
    assert model_cache.cached(third, "vgg", convert) is False and is_intact(entry)

    monkeypatch.setenv("PAINTFLOW_CACHE", "off")
    assert model_cache.cached(tmp_path / "d/vgg-k.pt", "vgg", convert) is False and len(made) == 3
