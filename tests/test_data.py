"""imlp_core.data: sources, subsets, statistics, caching, augmentation (App. E) and bad input."""

from __future__ import annotations

import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.io import write_jpeg, write_png

import imlp_core.data as data
from imlp_core.data import (
    DATASET_NAMES,
    DatasetUnavailableError,
    ImageDataset,
    augment_batch,
    find_shared_cifar10,
    load_dataset,
    normalize,
    synthetic_dataset,
)

# The tests write images with torchvision.io, which warns on every call that torchcodec succeeds it.
pytestmark = pytest.mark.filterwarnings("ignore:The image decoding:DeprecationWarning")

# ---------------------------------------------------------------------------------------------
# Synthetic set


def test_synthetic_same_seed_gives_identical_tensors_and_fingerprint():
    a, b = synthetic_dataset(200, 50, seed=3), synthetic_dataset(200, 50, seed=3)
    for field in ("train_images", "train_labels", "test_images", "test_labels"):
        assert torch.equal(getattr(a, field), getattr(b, field))
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 16


def test_synthetic_different_seed_gives_different_data():
    a, b = synthetic_dataset(200, 50, seed=0), synthetic_dataset(200, 50, seed=1)
    assert not torch.equal(a.train_images, b.train_images)
    assert a.fingerprint != b.fingerprint


def test_dataset_shapes_dtypes_and_statistics():
    ds = synthetic_dataset(300, 70)
    assert ds.train_images.shape == (300, 3, 32, 32) and ds.test_images.shape == (70, 3, 32, 32)
    assert ds.train_images.dtype == ds.test_images.dtype == torch.uint8
    assert ds.train_labels.dtype == ds.test_labels.dtype == torch.int64
    assert ds.train_images.is_contiguous()
    assert ds.num_classes == 10 and len(ds.classes) == 10
    pixels = ds.train_images.double() / 255
    assert ds.mean == pytest.approx(pixels.mean(dim=(0, 2, 3)).tolist(), abs=1e-12)
    assert ds.std == pytest.approx(pixels.std(dim=(0, 2, 3), correction=0).tolist(), abs=1e-12)


def test_synthetic_hundred_classes_for_the_cifar100_code_path():
    ds = load_dataset("synthetic100", test_subset=100)
    assert ds.name == "synthetic100" and ds.num_classes == 100
    assert int(ds.train_labels.max()) == 99
    assert torch.bincount(ds.test_labels, minlength=100).eq(1).all()


@pytest.fixture
def one_thread():
    """Tiny convolutions run several times slower with two threads on a busy two-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_synthetic_classes_are_local_patterns_a_cnn_learns_and_an_mlp_does_not(one_thread):
    ds = load_dataset("synthetic", train_subset=1500, test_subset=500)
    x, y = normalize(ds.train_images, ds.mean, ds.std), ds.train_labels
    x_test, y_test = normalize(ds.test_images, ds.mean, ds.std), ds.test_labels

    def test_accuracy(model: nn.Module) -> float:
        torch.manual_seed(0)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for _ in range(4):
            for batch in torch.randperm(len(y)).split(128):
                loss = F.cross_entropy(model(x[batch]), y[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            return (model(x_test).argmax(1) == y_test).float().mean().item()

    torch.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(3, 16, 5, padding=2), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
        nn.Linear(16, 10),
    )
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(3072, 256), nn.ReLU(), nn.Linear(256, 10))
    cnn_accuracy, mlp_accuracy = test_accuracy(cnn), test_accuracy(mlp)
    assert cnn_accuracy > 0.5, cnn_accuracy  # chance is 0.1
    assert cnn_accuracy > mlp_accuracy + 0.25, (cnn_accuracy, mlp_accuracy)


# ---------------------------------------------------------------------------------------------
# Subsets, statistics, devices


def test_stratified_subset_is_balanced_and_deterministic():
    a = load_dataset("synthetic", train_subset=205, test_subset=50, seed=7)
    b = load_dataset("synthetic", train_subset=205, test_subset=50, seed=7)
    c = load_dataset("synthetic", train_subset=205, test_subset=50, seed=8)
    counts = torch.bincount(a.train_labels, minlength=10)
    assert counts.sum() == 205 and counts.max() - counts.min() == 1
    assert torch.bincount(a.test_labels, minlength=10).eq(5).all()
    assert torch.equal(a.train_images, b.train_images) and a.fingerprint == b.fingerprint
    assert not torch.equal(a.train_images, c.train_images) and a.fingerprint != c.fingerprint


def test_mean_and_std_come_from_the_subsetted_train_split():
    ds = load_dataset("synthetic", train_subset=100)
    pixels = ds.train_images.double() / 255
    assert ds.mean == pytest.approx(pixels.mean(dim=(0, 2, 3)).tolist(), abs=1e-12)
    assert ds.mean != synthetic_dataset().mean


@pytest.mark.parametrize("size", [0, 5001])
def test_subset_outside_the_split_is_refused(size):
    expected = rf"train_subset={size} is not possible: the train split has 5000 images"
    with pytest.raises(ValueError, match=expected):
        load_dataset("synthetic", train_subset=size)


def test_to_moves_every_tensor_and_keeps_the_rest():
    ds = synthetic_dataset(20, 10)
    moved = ds.to("meta")
    assert isinstance(moved, ImageDataset)
    tensors = (moved.train_images, moved.train_labels, moved.test_images, moved.test_labels)
    assert all(t.device.type == "meta" for t in tensors)
    assert (moved.fingerprint, moved.mean, moved.classes) == (ds.fingerprint, ds.mean, ds.classes)
    assert "train=20" in repr(ds) and ds.fingerprint in repr(ds)


def test_unknown_name_lists_known_names_and_the_env_mechanism():
    with pytest.raises(ValueError) as error:
        load_dataset("imagenet-tiny")
    message = str(error.value)
    assert "Unknown dataset 'imagenet-tiny'" in message
    assert all(name in message for name in DATASET_NAMES)
    assert "IMLP_DATASET_IMAGENET_TINY=/path/to/it" in message


# ---------------------------------------------------------------------------------------------
# Augmentation (App. E: random crop with 4-pixel zero padding, horizontal flip)


def _crop_candidates(image: torch.Tensor, padding: int) -> dict[tuple, torch.Tensor]:
    """Every crop+flip the augmentation may produce from one image, by (dy, dx, flipped)."""
    padded = F.pad(image, (padding,) * 4)
    height, width = image.shape[1:]
    return {
        (dy, dx, flip): window.flip(-1) if flip else window
        for dy in range(2 * padding + 1)
        for dx in range(2 * padding + 1)
        for flip in (False, True)
        for window in [padded[:, dy : dy + height, dx : dx + width]]
    }


def test_augment_output_is_a_shifted_window_of_the_zero_padded_image_maybe_mirrored():
    images = torch.randint(0, 256, (64, 3, 32, 32), dtype=torch.uint8)
    out = augment_batch(images, torch.Generator().manual_seed(0))
    assert out.shape == images.shape and out.dtype == torch.uint8
    draws = []
    for image, crop in zip(images, out):
        candidates = _crop_candidates(image, 4)
        matches = [key for key, window in candidates.items() if torch.equal(window, crop)]
        assert len(matches) == 1
        draws.append(matches[0])
    dys, dxs, flips = zip(*draws)
    assert len(set(dys)) > 5 and len(set(dxs)) > 5  # offsets span the range, not one fixed shift
    assert 20 <= sum(flips) <= 44  # about half of 64 flipped


def test_augment_without_padding_only_flips_horizontally():
    images = torch.randint(0, 256, (256, 3, 8, 8), dtype=torch.uint8)
    out = augment_batch(images, torch.Generator().manual_seed(1), padding=0)
    kept = (out == images).flatten(1).all(1)
    mirrored = (out == images.flip(-1)).flatten(1).all(1)
    assert (kept | mirrored).all()
    assert 0.4 < mirrored.float().mean() < 0.6


def test_augment_same_generator_seed_gives_same_output():
    images = torch.randint(0, 256, (32, 3, 32, 32), dtype=torch.uint8)
    first = augment_batch(images, torch.Generator().manual_seed(5))
    assert torch.equal(first, augment_batch(images, torch.Generator().manual_seed(5)))
    assert not torch.equal(first, augment_batch(images, torch.Generator().manual_seed(6)))


def test_normalize_is_x_over_255_minus_mean_over_std():
    images = torch.randint(0, 256, (4, 3, 5, 5), dtype=torch.uint8)
    mean, std = (0.1, 0.5, 0.9), (0.2, 0.25, 0.5)
    out = normalize(images, mean, std)
    assert out.dtype == torch.float32
    for channel in range(3):
        expected = (images[:, channel].double() / 255 - mean[channel]) / std[channel]
        assert torch.allclose(out[:, channel].double(), expected, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# ImageFolder directories


def _image(seed: int, channels: int = 3, size: tuple[int, int] = (32, 32)) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (channels, *size), dtype=torch.uint8, generator=generator)


def _tree(root: Path, classes=("zebra", "apple", "mango"), per_class=(3, 2)) -> dict:
    """A tiny ImageFolder of PNGs; returns the pixels written, by path."""
    written = {}
    for split, count in zip(("train", "test"), per_class):
        for c, name in enumerate(classes):
            (root / split / name).mkdir(parents=True)
            for i in range(count):
                path = root / split / name / f"{i:02d}.png"
                written[str(path)] = _image(100 * c + 10 * i + len(split))
                write_png(written[str(path)], str(path))
    return written


@pytest.fixture
def folder(tmp_path):
    """A tiny tree for dataset 'tiny' (:func:`tiny`); data_dir (for the cache) is tmp_path/data."""
    root = tmp_path / "tiny"
    written = _tree(root)
    return root, written, tmp_path / "data"


def tiny(folder) -> dict[str, str]:
    """The dataset directories (``IMLP_DATASET_TINY``, as the door reads it) that name ``folder``'s tree 'tiny'."""
    return {"IMLP_DATASET_TINY": str(folder[0])}


def test_image_folder_classes_are_alphabetical_and_pixels_exact(folder):
    root, written, data_dir = folder
    ds = load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))
    assert ds.classes == ("apple", "mango", "zebra")
    assert ds.source == f"ImageFolder {root.parent.name}/{root.name}"  # never a machine path
    assert ds.train_labels.tolist() == [0] * 3 + [1] * 3 + [2] * 3
    assert ds.test_labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert torch.equal(ds.train_images[0], written[str(root / "train/apple/00.png")])
    assert torch.equal(ds.test_images[-1], written[str(root / "test/zebra/01.png")])


def test_image_folder_jpeg_and_grayscale_become_rgb(folder):
    root, _, data_dir = folder
    grey = _image(1, channels=1)
    write_png(grey, str(root / "train/apple/grey.png"))
    write_jpeg(_image(2), str(root / "train/apple/photo.JPG"), quality=95)
    ds = load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))
    assert len(ds.train_labels) == 11
    assert torch.equal(ds.train_images[3], grey.expand(3, -1, -1))  # 00, 01, 02, grey, photo


def test_image_folder_can_stand_in_for_cifar10(folder):
    root, _, data_dir = folder
    ds = load_dataset("cifar10", data_dir=data_dir, dataset_dirs={"IMLP_DATASET_CIFAR10": str(root)})
    assert ds.name == "cifar10" and ds.source.startswith("ImageFolder")


def test_image_folder_second_load_comes_from_the_cache(folder, monkeypatch):
    _, _, data_dir = folder
    first = load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded although the cache is valid")

    monkeypatch.setattr(data, "decode_image", no_decoding)
    second = load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))
    assert torch.equal(first.train_images, second.train_images)
    assert torch.equal(first.test_labels, second.test_labels)
    assert (first.fingerprint, first.classes) == (second.fingerprint, second.classes)
    assert [p.suffix for p in (data_dir / "cache").iterdir() if p.suffix != ".lock"] == [".pt"]


def test_image_folder_cache_is_rebuilt_when_files_change(folder):
    root, _, data_dir = folder
    before = load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))
    write_png(_image(9), str(root / "train/mango/99.png"))
    after = load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))
    assert len(after.train_labels) == len(before.train_labels) + 1


def test_corrupt_cache_warns_and_is_rebuilt(folder):
    _, _, data_dir = folder
    first = load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))
    (cache,) = (data_dir / "cache").glob("*.pt")
    cache.write_bytes(cache.read_bytes()[:100])
    with pytest.warns(UserWarning, match="Ignoring unreadable dataset cache"):
        second = load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))
    assert second.fingerprint == first.fingerprint


def test_hidden_files_are_skipped(folder):
    root, _, data_dir = folder
    (root / "train/apple/.DS_Store").write_bytes(b"\0junk")
    (root / "train/apple/.ipynb_checkpoints").mkdir()
    (root / "train/apple/.ipynb_checkpoints/notes.txt").write_text("not an image")
    (root / "test/.ipynb_checkpoints").mkdir()
    assert len(load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder)).train_labels) == 9


# Bad ImageFolder input: the error type and the words of the message are the contract.


def test_missing_directory_is_reported(tmp_path):
    expected = r"directory .*nowhere \(from IMLP_DATASET_TINY\) does not exist.*train/<class>/\*\.jpg"
    with pytest.raises(FileNotFoundError, match=expected):
        load_dataset("tiny", data_dir=tmp_path, dataset_dirs={"IMLP_DATASET_TINY": str(tmp_path / "nowhere")})


@pytest.mark.parametrize(
    ("present", "missing"),
    [("train", "no test/"), ("test", "no train/"), (None, "no train/ and no test/")],
)
def test_folder_without_train_and_test_says_which_is_missing(
    tmp_path, present, missing
):
    if present:
        (tmp_path / "tiny" / present).mkdir(parents=True)
    else:
        (tmp_path / "tiny").mkdir()
    with pytest.raises(FileNotFoundError) as error:
        load_dataset("tiny", data_dir=tmp_path, dataset_dirs={"IMLP_DATASET_TINY": str(tmp_path / "tiny")})
    assert f"has {missing} subdirectory" in str(error.value)
    assert "Expected train/<class>/*.jpg and test/<class>/*.jpg" in str(error.value)


def test_non_image_file_is_refused_with_its_path(folder):
    root, _, data_dir = folder
    (root / "test/mango/notes.txt").write_text("not an image")
    expected = r"test/mango/notes\.txt is not an image file \(expected \.jpg, \.jpeg, \.png\)"
    with pytest.raises(ValueError, match=expected):
        load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))


def test_stray_file_beside_the_class_directories_is_refused(folder):
    root, _, data_dir = folder
    (root / "train/README.md").write_text("hello")
    expected = r"train/README\.md is a file directly in train/, where only class subdirectories"
    with pytest.raises(ValueError, match=expected):
        load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))


def test_undecodable_image_is_refused_with_its_path(folder):
    root, _, data_dir = folder
    (root / "train/zebra/broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    expected = r"Cannot decode .*train/zebra/broken\.png: the file is truncated, corrupt or not"
    with pytest.raises(ValueError, match=expected):
        load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))


def test_image_of_another_size_is_refused_with_its_size_and_a_resize_hint(folder):
    root, _, data_dir = folder
    write_png(_image(3, size=(48, 64)), str(root / "train/apple/big.png"))
    with pytest.raises(ValueError) as error:
        load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))
    message = str(error.value)
    assert "train/apple/big.png is 64x48 pixels, but every image must be 32x32" in message
    assert "Resize them deliberately beforehand" in message
    assert "mogrify -resize '32x32!'" in message


def test_train_and_test_with_different_classes_are_refused(folder):
    root, _, data_dir = folder
    (root / "test/kiwi").mkdir()
    write_png(_image(4), str(root / "test/kiwi/00.png"))
    expected = r"train/ and test/ have different classes\. Only in train/: \[\]; only in test/: \['kiwi'\]"
    with pytest.raises(ValueError, match=expected):
        load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))


def test_empty_class_directory_is_refused(folder):
    root, _, data_dir = folder
    (root / "train/kiwi").mkdir()
    (root / "test/kiwi").mkdir()
    with pytest.raises(ValueError, match=r"Class directory .*train/kiwi contains no images"):
        load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))


def test_split_without_class_directories_is_refused(folder):
    root, _, data_dir = folder
    for name in ("apple", "mango", "zebra"):
        for image in (root / "train" / name).iterdir():
            image.unlink()
        (root / "train" / name).rmdir()
    with pytest.raises(ValueError, match=r"train has no class subdirectories"):
        load_dataset("tiny", data_dir=data_dir, dataset_dirs=tiny(folder))


def test_env_var_name_for_names_with_punctuation():
    assert data.dataset_env_var("my-set.v2") == "IMLP_DATASET_MY_SET_V2"


# ---------------------------------------------------------------------------------------------
# torchvision CIFAR (no network in tests: the download is replaced by a failure)


class _FakeCIFAR10:
    """Stands in for torchvision.datasets.CIFAR10: HWC uint8 .data, list .targets."""

    def __init__(self, root, train, download):
        rng = np.random.default_rng(0 if train else 1)
        self.data = rng.integers(0, 256, (20 if train else 10, 32, 32, 3), dtype=np.uint8)
        self.targets = [i % 10 for i in range(len(self.data))]
        self.classes = [f"class{i}" for i in range(10)]


def test_torchvision_arrays_are_converted_to_nchw_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(torchvision.datasets, "CIFAR10", _FakeCIFAR10)
    ds = load_dataset("cifar10", data_dir=tmp_path)
    reference = _FakeCIFAR10(tmp_path, train=True, download=True)
    assert torch.equal(ds.train_images, torch.from_numpy(reference.data).permute(0, 3, 1, 2))
    assert ds.train_labels.tolist() == reference.targets
    assert ds.source == "torchvision _FakeCIFAR10"  # not where this machine keeps it


@pytest.fixture
def offline(monkeypatch):
    """torchvision's download fails as it does without network."""

    def fail(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(torchvision.datasets.cifar, "download_and_extract_archive", fail)


@pytest.mark.parametrize(
    ("name", "folder_name"), [("cifar10", "cifar-10-batches-py"), ("cifar100", "cifar-100-python")]
)
def test_offline_download_failure_says_where_why_and_how(tmp_path, offline, name, folder_name):
    with pytest.raises(DatasetUnavailableError) as error:
        load_dataset(name, data_dir=tmp_path)
    message = str(error.value)
    assert f"Dataset '{name}' is not available: looked for torchvision's" in message
    assert f"files in {tmp_path.resolve()} and the download failed (URLError:" in message
    assert "network is unreachable" in message
    assert f"set IMLP_DATA_DIR to a directory holding torchvision's {folder_name}/" in message
    assert f"set IMLP_DATASET_{name.upper()} to an ImageFolder directory" in message
    assert "laid out as train/<class>/*.jpg and test/<class>/*.jpg" in message
    assert "corrupt" not in message


def test_truncated_dataset_file_is_named_with_advice_to_delete_it(tmp_path, offline):
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(b"\x1f\x8b truncated")
    (tmp_path / "cifar-10-batches-py").mkdir()
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(b"half a pickle")
    with pytest.raises(DatasetUnavailableError) as error:
        load_dataset("cifar10", data_dir=tmp_path)
    message = str(error.value)
    assert "present but truncated or corrupt (checksum mismatch)" in message
    assert str(tmp_path / "cifar-10-python.tar.gz") in message
    assert str(tmp_path / "cifar-10-batches-py" / "data_batch_1") in message
    assert "delete them so that they are downloaded again" in message


# ---------------------------------------------------------------------------------------------
# The real CIFAR-10 JPEG copy (CI keeps it in ../shared/data)

# CIFAR-10 JPEG train-split statistics from shared/data/README.md.
README_MEAN, README_STD = (0.4913, 0.4821, 0.4465), (0.2452, 0.2428, 0.2606)


def test_find_shared_cifar10_unpacks_the_shared_tarball_once(tmp_path, monkeypatch):
    repo, shared = tmp_path / "repo", tmp_path / "shared" / "data"
    _tree(tmp_path / "cifar10-jpeg")
    shared.mkdir(parents=True)
    with tarfile.open(shared / "cifar10-jpeg.tar.gz", "w:gz") as archive:
        archive.add(tmp_path / "cifar10-jpeg", arcname="cifar10-jpeg")
    monkeypatch.setattr(data, "repo_root", lambda: repo)
    assert find_shared_cifar10() == repo / "data" / "cifar10-jpeg"
    assert (repo / "data" / "cifar10-jpeg" / "test" / "zebra" / "01.png").is_file()
    (shared / "cifar10-jpeg.tar.gz").unlink()  # the unpacked copy is reused from now on
    assert find_shared_cifar10() == repo / "data" / "cifar10-jpeg"


def test_find_shared_cifar10_is_none_without_a_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "repo_root", lambda: tmp_path / "repo")
    assert find_shared_cifar10() is None


@pytest.mark.slow
def test_real_cifar10_jpeg_loads_with_the_documented_sizes_and_statistics():
    root = find_shared_cifar10()
    if root is None:
        pytest.skip(
            "no CIFAR-10 JPEG copy: neither <data dir>/cifar10-jpeg "
            "nor <repo>/../shared/data/cifar10-jpeg.tar.gz exists"
        )
    ds = load_dataset("cifar10", dataset_dirs={"IMLP_DATASET_CIFAR10": str(root)})
    assert (len(ds.train_labels), len(ds.test_labels)) == (50_000, 10_000)
    assert ds.classes == (
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"
    )
    assert torch.bincount(ds.train_labels).eq(5000).all()
    assert ds.mean == pytest.approx(README_MEAN, abs=1e-4)
    assert ds.std == pytest.approx(README_STD, abs=1e-4)


def test_subset_of_the_whole_split_returns_it_even_when_classes_are_unbalanced():
    labels = torch.tensor([0, 0, 0, 1, 2, 2])
    assert torch.equal(data.stratified_subset(labels, len(labels), seed=0), torch.arange(len(labels)))


def test_a_source_is_named_alike_in_every_checkout_and_on_every_machine():
    from imlp_core.data import source_name
    from imlp_core.paths import repo_root

    assert source_name(repo_root() / "data" / "cifar10-jpeg") == "data/cifar10-jpeg"
    assert source_name(Path("/work/main/data/cifar10-jpeg")) == "data/cifar10-jpeg"  # another checkout's copy
    assert source_name(Path("/cifar10-jpeg")) == "cifar10-jpeg"  # relative even at the root
