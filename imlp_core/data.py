"""Datasets as uint8 tensors, and the paper's augmentation done on whole batches on the device.

Every source (torchvision CIFAR-10/100, an ImageFolder directory, a synthetic set) becomes one
:class:`ImageDataset`: uint8 images ``(N, 3, 32, 32)`` and int64 labels for both splits, plus the
train split's per-channel mean/std and a fingerprint that a result record can cite. The training
loop moves it to its device once and takes its batches from it (``train_batches``: shuffled, augmented
on the device as App. E says, random crop with 4-pixel zero padding and horizontal flip, normalised;
``test_batches``), so no per-image Python or PIL work happens while training.

Sources, by name (see :func:`load_dataset`):

- ``cifar10``, ``cifar100``: the ImageFolder directory in ``IMLP_DATASET_CIFAR10`` /
  ``IMLP_DATASET_CIFAR100`` when set, else torchvision's copy in the data directory; for
  ``cifar10``, when torchvision's copy is not there, the shared JPEG copy ``<data dir>/cifar10-jpeg``
  if it is (:func:`prepare_shared_cifar10` unpacks it); else torchvision's copy, downloaded.
- ``synthetic``, ``synthetic100``: :func:`synthetic_dataset` with 10 or 100 classes.
- any other NAME: the ImageFolder directory in ``IMLP_DATASET_<NAME>``.

The door reads those variables and ``IMLP_DATA_DIR`` (``settings.TrainingSettings``); the functions here take
them as values: ``dataset_dirs`` maps a variable's name to its directory, ``data_dir`` is the data directory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tarfile
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, NamedTuple, Sequence

import torch
import torch.nn.functional as F
import torchvision
from filelock import FileLock
from torch import Tensor
from torchvision.datasets.folder import has_file_allowed_extension, make_dataset
from torchvision.datasets.utils import check_integrity
from torchvision.io import ImageReadMode, decode_image
from tqdm import tqdm

from imlp_core.paths import repo_root
from imlp_core.results import atomic_torch_save

# name -> torchvision.datasets class name (looked up at call time, so tests can replace it)
TORCHVISION_DATASETS = {"cifar10": "CIFAR10", "cifar100": "CIFAR100"}
SHARED_CIFAR10 = "cifar10-jpeg"  # the shared JPEG copy of CIFAR-10 in the data directory (find_shared_cifar10)
# name -> number of classes of synthetic_dataset()
SYNTHETIC_DATASETS = {"synthetic": 10, "synthetic100": 100}
# Images in each named dataset's training split (the synthetic sets' size; the plan's time estimates)
TRAIN_IMAGES = {"cifar10": 50_000, "cifar100": 50_000, "synthetic": 5_000, "synthetic100": 5_000}
DATASET_NAMES = (*TORCHVISION_DATASETS, *SYNTHETIC_DATASETS)

IMAGE_SIZE = 32
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
# Bump when the cache payload changes, so that old cache files are rebuilt rather than misread.
CACHE_FORMAT = 1
# synthetic_dataset: 5x5 motifs, each with 12 of 25 pixels lit, stamped 3 times per image
MOTIF_SIZE = 5
MOTIF_LIT = 12
MOTIF_COPIES = 3
RESIZE_HINT = (
    "Resize them deliberately beforehand, e.g. with ImageMagick: "
    "mogrify -resize '32x32!' DIR/*/*/*.jpg"
)


class DatasetUnavailableError(RuntimeError):
    """The dataset is neither on disk nor downloadable; the message says where to put a copy."""


@dataclass(frozen=True, eq=False)
class ImageDataset:
    """Both splits of an image classification dataset as tensors.

    Images are uint8 ``(N, 3, 32, 32)``, labels int64 ``(N,)``. ``mean``/``std`` are per-channel
    statistics of the train split with pixels in [0, 1] (for :func:`normalize`); ``fingerprint``
    is the first 16 hex digits of a sha256 over the images and labels of both splits.
    """

    name: str
    source: str
    fingerprint: str
    train_images: Tensor
    train_labels: Tensor
    test_images: Tensor
    test_labels: Tensor
    classes: tuple[str, ...]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def to(self, device: torch.device | str) -> ImageDataset:
        """The same dataset with all four tensors on ``device``."""
        return dataclasses.replace(
            self,
            train_images=self.train_images.to(device),
            train_labels=self.train_labels.to(device),
            test_images=self.test_images.to(device),
            test_labels=self.test_labels.to(device),
        )

    def train_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[tuple[Tensor, Tensor]]:
        """One epoch of the training split: a permutation drawn from ``generator``, then batches of ``batch_size``
        (the last one smaller), each cropped and flipped (:func:`augment_batch`, drawing from ``generator``)
        and normalised. Yields (float32 images ``(B, 3, 32, 32)``, labels ``(B,)``) on the dataset's device, where
        ``generator`` must live."""
        order = torch.randperm(len(self.train_labels), generator=generator, device=self.train_labels.device)
        for batch in order.split(batch_size):
            images = augment_batch(self.train_images[batch], generator)
            yield normalize(images, self.mean, self.std), self.train_labels[batch]

    def test_batches(self, batch_size: int, index: Tensor | None = None) -> Iterator[tuple[Tensor, Tensor]]:
        """The test split in order (only the images ``index`` when given), in batches of ``batch_size``: (normalised
        float32 images, labels)."""
        images, labels = (self.test_images, self.test_labels) if index is None else (self.test_images[index],
                                                                                     self.test_labels[index])
        for start in range(0, len(labels), batch_size):
            yield normalize(images[start:start + batch_size], self.mean, self.std), labels[start:start + batch_size]

    def __repr__(self) -> str:
        # The default repr would print the tensors; this one says what a notebook reader needs.
        return (
            f"ImageDataset(name={self.name!r}, train={len(self.train_labels)}, "
            f"test={len(self.test_labels)}, classes={self.num_classes}, "
            f"source={self.source!r}, fingerprint={self.fingerprint!r})"
        )


class _Splits(NamedTuple):
    """What every source produces before subsetting and statistics."""

    train_images: Tensor
    train_labels: Tensor
    test_images: Tensor
    test_labels: Tensor
    classes: tuple[str, ...]
    source: str


# ---------------------------------------------------------------------------------------------
# Public entry points


def load_dataset(
    name: str,
    *,
    train_subset: int | None = None,
    test_subset: int | None = None,
    seed: int = 0,
    data_dir: str | Path | None = None,
    dataset_dirs: Mapping[str, str] = {},
) -> ImageDataset:
    """Load dataset ``name`` (see the module docstring for the sources) as an :class:`ImageDataset`.

    ``train_subset``/``test_subset`` keep that many images of the split, balanced across classes
    and chosen by ``seed`` (see :func:`stratified_subset`). ``data_dir`` holds torchvision
    downloads and the decoded-ImageFolder cache (None: ``<repo>/data``); ``dataset_dirs`` maps
    ``IMLP_DATASET_<NAME>`` to an ImageFolder directory (:func:`dataset_env_var`).
    The synthetic sets are always generated with seed 0, so that ``seed`` varies only the subset,
    as it does for the real datasets.
    """
    data_dir = default_data_dir(data_dir)
    env_var = dataset_env_var(name)
    shared = data_dir / SHARED_CIFAR10
    if dataset_dirs.get(env_var):
        splits = _load_image_folder(Path(dataset_dirs[env_var]), data_dir, env_var)
    elif name == "cifar10" and shared.is_dir() and not (data_dir / torchvision.datasets.CIFAR10.base_folder).is_dir():
        splits = _load_image_folder(shared, data_dir, f"the shared copy in {data_dir}")
    elif name in TORCHVISION_DATASETS:
        splits = _load_torchvision(name, data_dir)
    elif name in SYNTHETIC_DATASETS:
        splits = _synthetic_splits(TRAIN_IMAGES[name], 1000, SYNTHETIC_DATASETS[name], seed=0)
    else:
        raise ValueError(
            f"Unknown dataset {name!r}. Known names: {', '.join(DATASET_NAMES)}. "
            f"To use an ImageFolder directory (train/<class>/*.jpg, test/<class>/*.jpg) under "
            f"this name, set {dataset_env_var(name)}=/path/to/it."
        )
    if train_subset is not None:
        keep = stratified_subset(splits.train_labels, train_subset, seed, split="train")
        splits = splits._replace(
            train_images=splits.train_images[keep], train_labels=splits.train_labels[keep]
        )
    if test_subset is not None:
        keep = stratified_subset(splits.test_labels, test_subset, seed, split="test")
        splits = splits._replace(
            test_images=splits.test_images[keep], test_labels=splits.test_labels[keep]
        )
    return _build(name, splits)


def synthetic_dataset(
    num_train: int = 5000, num_test: int = 1000, num_classes: int = 10, seed: int = 0
) -> ImageDataset:
    """A deterministic image set whose classes are local, translation-invariant motifs.

    Each class owns a 5x5 binary motif (the same number of lit pixels for every class, so global
    brightness and colour statistics carry no label information). An image is grey noise with
    three copies of its class's motif stamped at random positions in random bright/dark colours.
    Recognising it needs a local pattern detector applied everywhere, which is exactly a
    convolution's prior, so a CNN learns it in a few epochs while an MLP must learn every position.
    """
    return _build("synthetic", _synthetic_splits(num_train, num_test, num_classes, seed))


def augment_batch(images: Tensor, generator: torch.Generator, padding: int = 4) -> Tensor:
    """Random crop with ``padding`` zero padding and random horizontal flip (App. E), batched.

    ``images``: uint8 ``(B, C, H, W)`` on any device; returns a new uint8 ``(B, C, H, W)``. Each
    image gets its own offset in ``[0, 2 * padding]`` per axis and a flip with probability 1/2,
    drawn from ``generator`` (which must live on ``images.device``), so a seeded generator
    reproduces the batch. One gather does crop and flip together: no per-image loop.
    """
    batch, channels, height, width = images.shape
    device = images.device
    padded = F.pad(images, (padding, padding, padding, padding))
    padded_width = width + 2 * padding
    dy, dx = torch.randint(0, 2 * padding + 1, (2, batch, 1), generator=generator, device=device)
    flip = torch.randint(0, 2, (batch, 1), generator=generator, device=device).bool()
    cols = torch.arange(width, device=device)
    # Flipping the crop = reading the window's columns right to left.
    cols = torch.where(flip, cols.flip(0), cols) + dx  # (B, W)
    rows = torch.arange(height, device=device) + dy  # (B, H)
    flat_index = (rows[:, :, None] * padded_width + cols[:, None, :]).flatten(1)  # (B, H*W)
    crops = padded.flatten(2).gather(2, flat_index[:, None, :].expand(batch, channels, -1))
    return crops.view(batch, channels, height, width)


def normalize(images: Tensor, mean: Sequence[float], std: Sequence[float]) -> Tensor:
    """uint8 ``(..., 3, H, W)`` -> float32 ``(x / 255 - mean) / std`` per channel."""
    mean_t = torch.tensor(mean, dtype=torch.float32, device=images.device).view(-1, 1, 1)
    std_t = torch.tensor(std, dtype=torch.float32, device=images.device).view(-1, 1, 1)
    return (images.float() / 255 - mean_t) / std_t


def stratified_subset(labels: Tensor, size: int, seed: int, split: str = "train") -> Tensor:
    """Sorted indices of ``size`` items of ``labels``, balanced over classes, chosen by ``seed``.

    Every class gets ``size // K`` items and the first ``size % K`` classes one more, so the
    subset is as balanced as its size allows; which items is a seeded permutation per class.
    """
    if not 1 <= size <= len(labels):
        raise ValueError(
            f"{split}_subset={size} is not possible: the {split} split has {len(labels)} images "
            f"(choose 1..{len(labels)}, or None for all)."
        )
    if size == len(labels):  # the whole split, however unbalanced its classes are
        return torch.arange(len(labels))
    num_classes = int(labels.max()) + 1
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for label in range(num_classes):
        members = (labels == label).nonzero().flatten()
        quota = size // num_classes + (label < size % num_classes)
        if quota > len(members):
            raise ValueError(
                f"{split}_subset={size} needs {quota} images of class {label}, but the {split} "
                f"split has only {len(members)}; choose a smaller subset."
            )
        chosen.append(members[torch.randperm(len(members), generator=generator)[:quota]])
    return torch.cat(chosen).sort().values


def dataset_env_var(name: str) -> str:
    """The environment variable that maps ``name`` to an ImageFolder directory."""
    return "IMLP_DATASET_" + re.sub(r"\W", "_", name.upper())


def default_data_dir(data_dir: str | Path | None = None) -> Path:
    """``data_dir`` (``IMLP_DATA_DIR``), else ``<repo root>/data``."""
    return Path(data_dir) if data_dir is not None else repo_root() / "data"


def find_shared_cifar10(data_dir: str | Path | None = None) -> Path | None:
    """The shared CIFAR-10 JPEG copy as an ImageFolder directory, or None when there is none.

    Looks for ``<data dir>/cifar10-jpeg``; failing that, unpacks
    ``<repo root>/../shared/data/cifar10-jpeg.tar.gz`` (where CI keeps it) there once. Unpacking
    goes to a temporary directory that is renamed when complete, under a lock, so concurrent
    notebooks and tests neither race nor see half an extraction.
    """
    target = default_data_dir(data_dir) / SHARED_CIFAR10
    tarball = repo_root().parent / "shared" / "data" / "cifar10-jpeg.tar.gz"
    if target.is_dir():
        return target
    if not tarball.is_file():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{target}.lock"):
        if not target.is_dir():
            with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
                with tarfile.open(tarball) as archive:
                    archive.extractall(tmp, filter="data")
                os.replace(Path(tmp) / "cifar10-jpeg", target)
    return target


def prepare_shared_cifar10(data_dir: str | Path | None = None, dataset_dirs: Mapping[str, str] = {}) -> str | None:
    """Unpack the shared JPEG copy (:func:`find_shared_cifar10`) where ``load_dataset("cifar10")`` finds it when
    nothing else provides CIFAR-10: neither ``IMLP_DATASET_CIFAR10`` (in ``dataset_dirs``) nor torchvision's copy in
    the data directory ``data_dir``.
    Changes no setting of this process (every process, a notebook's kernel or a worker, finds the copy itself).

    Returns the note to print: where CIFAR-10 is read from (None: torchvision's copy, or nothing found).
    """
    variable = dataset_env_var("cifar10")
    if dataset_dirs.get(variable):
        return f"CIFAR-10 from {variable}={dataset_dirs[variable]}"
    if (default_data_dir(data_dir) / torchvision.datasets.CIFAR10.base_folder).is_dir():
        return None
    shared = find_shared_cifar10(data_dir)
    if shared is None:
        return None
    return (f"NOTE: torchvision's CIFAR-10 is not in {default_data_dir(data_dir)}; using the shared JPEG copy {shared} "
            f"(every run record names its source)")


# ---------------------------------------------------------------------------------------------
# Sources


def _build(name: str, splits: _Splits) -> ImageDataset:
    """Assemble an ImageDataset, computing the train statistics and the fingerprint."""
    tensors = [
        splits.train_images.contiguous(),
        splits.train_labels.to(torch.int64).contiguous(),
        splits.test_images.contiguous(),
        splits.test_labels.to(torch.int64).contiguous(),
    ]
    digest = hashlib.sha256()
    for tensor in tensors:
        digest.update(tensor.numpy())  # hashes the buffer in place, no copy
    mean, std = _channel_stats(tensors[0])
    fingerprint = digest.hexdigest()[:16]
    return ImageDataset(name, splits.source, fingerprint, *tensors, splits.classes, mean, std)


def _channel_stats(images: Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and (population) std of uint8 ``(N, 3, H, W)`` with pixels in [0, 1].

    Computed from a 256-bin histogram per channel: exact, and it never materialises a float copy
    of the dataset (600 MB for CIFAR's train split).
    """
    values = torch.arange(256, dtype=torch.float64) / 255
    means, stds = [], []
    for channel in range(images.shape[1]):
        counts = torch.bincount(images[:, channel].flatten(), minlength=256).double()
        mean = (counts * values).sum() / counts.sum()
        variance = (counts * (values - mean) ** 2).sum() / counts.sum()
        means.append(mean.item())
        stds.append(variance.sqrt().item())
    return tuple(means), tuple(stds)


def _load_torchvision(name: str, data_dir: Path) -> _Splits:
    """torchvision's CIFAR10/CIFAR100 in ``data_dir``, downloaded when missing."""
    dataset_class = getattr(torchvision.datasets, TORCHVISION_DATASETS[name])
    try:
        train, test = (dataset_class(data_dir, train=flag, download=True) for flag in (True, False))
    except Exception as error:  # network errors, and torchvision's own integrity failures
        raise DatasetUnavailableError(
            _unavailable_message(name, dataset_class, data_dir, error)
        ) from error

    def to_tensors(split) -> tuple[Tensor, Tensor]:
        # .data is a uint8 (N, H, W, C) numpy array: convert it whole, no per-image PIL.
        images = torch.from_numpy(split.data).permute(0, 3, 1, 2).contiguous()
        return images, torch.tensor(split.targets, dtype=torch.int64)

    return _Splits(
        *to_tensors(train),
        *to_tensors(test),
        tuple(train.classes),
        f"torchvision {dataset_class.__name__}",  # where torchvision keeps its copy is no part of the data
    )


def _unavailable_message(name: str, dataset_class, data_dir: Path, error: Exception) -> str:
    """Where we looked, why it failed, which local files are broken, and how to point elsewhere."""
    expected = [
        (data_dir / dataset_class.filename, dataset_class.tgz_md5),
        *(
            (data_dir / dataset_class.base_folder / file, md5)
            for file, md5 in dataset_class.train_list + dataset_class.test_list
        ),
    ]
    broken = [str(p) for p, md5 in expected if p.exists() and not check_integrity(p, md5)]
    corrupt = (
        f" These files are present but truncated or corrupt (checksum mismatch): "
        f"{', '.join(broken)}; delete them so that they are downloaded again."
        if broken
        else ""
    )
    return (
        f"Dataset {name!r} is not available: looked for torchvision's {dataset_class.__name__} "
        f"files in {data_dir.resolve()} and the download failed ({type(error).__name__}: "
        f"{error}).{corrupt} To use a local copy, either set IMLP_DATA_DIR to a directory holding "
        f"torchvision's {dataset_class.base_folder}/, or set {dataset_env_var(name)} to an "
        f"ImageFolder directory laid out as train/<class>/*.jpg and test/<class>/*.jpg."
    )


def _load_image_folder(root: Path, data_dir: Path, env_var: str) -> _Splits:
    """An ImageFolder directory (``train/<class>/*``, ``test/<class>/*``), decoded once, cached.

    ``env_var`` is the variable that named ``root``, so that errors say where the path came from.
    The decoded tensors are cached in ``data_dir/cache/`` under a name derived from the
    directory's absolute path; the cache is reused while the listing signature (file count, total
    size, newest mtime) is unchanged, and rebuilt otherwise.
    """
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(
            f"ImageFolder directory {root} (from {env_var}) does not exist. Expected a "
            f"directory laid out as train/<class>/*.jpg and test/<class>/*.jpg."
        )
    missing = [split for split in ("train", "test") if not (root / split).is_dir()]
    if missing:
        raise FileNotFoundError(
            f"ImageFolder directory {root} has no {' and no '.join(f'{s}/' for s in missing)} "
            f"subdirectory. Expected train/<class>/*.jpg and test/<class>/*.jpg "
            f"(.jpg, .jpeg or .png; one subdirectory per class, the same classes in both)."
        )
    train_classes, train_files = _list_split(root / "train")
    test_classes, test_files = _list_split(root / "test")
    if train_classes != test_classes:
        raise ValueError(
            f"ImageFolder directory {root}: train/ and test/ have different classes. "
            f"Only in train/: {sorted(set(train_classes) - set(test_classes))}; "
            f"only in test/: {sorted(set(test_classes) - set(train_classes))}."
        )
    signature = _listing_signature([path for path, _ in train_files + test_files])
    root_hash = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    cache = data_dir / "cache" / f"{root.name}-{root_hash}.pt"
    source = f"ImageFolder {source_name(root)}"
    cache.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{cache}.lock"):  # two processes starting at once decode only once
        payload = _read_cache(cache)
        if payload is None or payload["signature"] != signature or payload["root"] != str(root):
            payload = {
                "format": CACHE_FORMAT,
                "root": str(root),
                "signature": signature,
                "classes": list(train_classes),
                "train": _decode_files(train_files, "train"),
                "test": _decode_files(test_files, "test"),
            }
            atomic_torch_save(payload, cache)  # never a partial cache
    return _Splits(*payload["train"], *payload["test"], tuple(payload["classes"]), source)


def source_name(root: Path) -> str:
    """``root`` as a record names it: the folder and the one that holds it (``data/cifar10-jpeg``), one relative form
    wherever the copy lies and whichever checkout reads it, so that no record or table carries a machine's path."""
    root = Path(root).resolve()
    return "/".join(name for name in (root.parent.name, root.name) if name)


def _list_split(split_dir: Path) -> tuple[list[str], list[tuple[str, int]]]:
    """Sorted class names and ``(path, label)`` of every image below ``split_dir``.

    Listed by torchvision's ImageFolder machinery (``make_dataset``): classes in alphabetical order,
    files found recursively in sorted order. Hidden files and directories (.DS_Store,
    .ipynb_checkpoints) are skipped; a stray file beside the classes, an empty class and any other
    file that is not a .jpg/.jpeg/.png are refused, where ImageFolder would silently drop them:
    that would train on a different dataset than the one on disk.
    """
    entries = [entry for entry in os.scandir(split_dir) if not entry.name.startswith(".")]
    stray = sorted(entry.name for entry in entries if not entry.is_dir())
    if stray:
        raise ValueError(
            f"{split_dir / stray[0]} is a file directly in {split_dir.name}/, where only class "
            f"subdirectories belong (train/<class>/*.jpg). Move or delete it."
        )
    classes = sorted(entry.name for entry in entries)
    if not classes:
        raise ValueError(f"{split_dir} has no class subdirectories (train/<class>/*.jpg).")
    inside = len(str(split_dir))  # hidden = a path component below split_dir starts with "."
    files = make_dataset(
        str(split_dir),
        {name: label for label, name in enumerate(classes)},
        is_valid_file=lambda path: os.sep + "." not in path[inside:],
        allow_empty=True,
    )
    found = {label for _, label in files}
    for label, name in enumerate(classes):
        if label not in found:
            raise ValueError(f"Class directory {split_dir / name} contains no images.")
    for path, _ in files:
        if not has_file_allowed_extension(path, IMAGE_SUFFIXES):
            raise ValueError(
                f"{path} is not an image file (expected {', '.join(IMAGE_SUFFIXES)}). "
                f"Remove it from the ImageFolder directory or convert it."
            )
    return classes, files


def _listing_signature(paths: list[str]) -> tuple[int, int, int]:
    """(file count, total bytes, newest mtime in ns): cheap, and changes when files do."""
    stats = [os.stat(path) for path in paths]
    return len(stats), sum(s.st_size for s in stats), max(s.st_mtime_ns for s in stats)


def _decode_files(files: list[tuple[str, int]], split: str) -> tuple[Tensor, Tensor]:
    """Decode every image to uint8 RGB ``(N, 3, 32, 32)``; refuse undecodable or other-size ones.

    Grayscale and RGBA images are converted to RGB (ImageReadMode.RGB) on purpose: the models
    take 3 channels. Other sizes are refused rather than resized, so that the pixels trained on
    are the ones the user chose.
    """
    images = torch.empty(len(files), 3, IMAGE_SIZE, IMAGE_SIZE, dtype=torch.uint8)
    with warnings.catch_warnings():
        # torchvision 0.29 warns on every call that torchcodec will take over decoding; until
        # it does, 60k copies of that warning would only bury real ones.
        warnings.filterwarnings("ignore", "The image decoding", DeprecationWarning)
        for index, (path, _) in enumerate(tqdm(files, desc=f"decoding {split}", unit="img")):
            try:
                image = decode_image(path, mode=ImageReadMode.RGB)
            except RuntimeError as error:
                raise ValueError(
                    f"Cannot decode {path}: the file is truncated, corrupt or not really an "
                    f"image ({error}). Delete or replace it."
                ) from error
            if image.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
                raise ValueError(
                    f"{path} is {image.shape[2]}x{image.shape[1]} pixels, but every image must "
                    f"be {IMAGE_SIZE}x{IMAGE_SIZE}. {RESIZE_HINT}"
                )
            images[index] = image
    return images, torch.tensor([label for _, label in files], dtype=torch.int64)


def _read_cache(cache: Path) -> dict | None:
    """The cache payload, or None when there is none or it is unreadable (then it is rebuilt)."""
    if not cache.exists():
        return None
    try:
        payload = torch.load(cache, weights_only=True)
    except Exception as error:  # truncated by a crash, written by another torch version, ...
        warnings.warn(f"Ignoring unreadable dataset cache {cache} ({error}); rebuilding it.")
        return None
    return payload if payload.get("format") == CACHE_FORMAT else None


def _synthetic_splits(num_train: int, num_test: int, num_classes: int, seed: int) -> _Splits:
    """Both splits of :func:`synthetic_dataset`, generated from one seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    motifs = _distinct_motifs(num_classes, generator)
    labels = torch.randint(0, num_classes, (num_train + num_test,), generator=generator)
    images = _stamp_motifs(motifs[labels], generator)
    return _Splits(
        images[:num_train],
        labels[:num_train],
        images[num_train:],
        labels[num_train:],
        tuple(f"motif{k}" for k in range(num_classes)),
        f"synthetic(seed={seed}, n_train={num_train}, n_test={num_test}, classes={num_classes})",
    )


def _distinct_motifs(num_classes: int, generator: torch.Generator) -> Tensor:
    """``num_classes`` distinct 5x5 motifs with MOTIF_LIT lit pixels each: bool (K, 5, 5)."""
    motifs: list[Tensor] = []
    while len(motifs) < num_classes:
        motif = torch.rand(MOTIF_SIZE**2, generator=generator).argsort() < MOTIF_LIT
        if not any(torch.equal(motif, other) for other in motifs):
            motifs.append(motif)
    return torch.stack(motifs).view(num_classes, MOTIF_SIZE, MOTIF_SIZE)


def _stamp_motifs(motifs: Tensor, generator: torch.Generator) -> Tensor:
    """Grey noise with MOTIF_COPIES copies of each image's motif: (N, 5, 5) -> uint8 (N, 3, 32, 32).

    Each copy lands at a random position; its lit pixels get a random bright colour and its unlit
    pixels a random dark one, so the motif is visible in luminance as well as in colour.
    """
    n = len(motifs)
    canvas = 128 + 40 * torch.randn(n, IMAGE_SIZE, IMAGE_SIZE, 3, generator=generator)
    grid = torch.arange(MOTIF_SIZE)
    batch = torch.arange(n)[:, None, None]
    for _ in range(MOTIF_COPIES):
        top, left = torch.randint(0, IMAGE_SIZE - MOTIF_SIZE + 1, (2, n, 1, 1), generator=generator)
        bright = torch.randint(170, 256, (n, 1, 1, 3), generator=generator).float()
        dark = torch.randint(0, 86, (n, 1, 1, 3), generator=generator).float()
        patch = torch.where(motifs[..., None], bright, dark)  # (N, 5, 5, 3)
        canvas[batch, top + grid[:, None], left + grid] = patch
    return canvas.clamp(0, 255).to(torch.uint8).permute(0, 3, 1, 2).contiguous()
