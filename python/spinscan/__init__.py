"""spinscan: machine-spun text detection and KenLM-compatible n-gram scoring.

A thin ctypes layer over libspinscan (the C library of the spinscan tool), with
no dependency beyond the Python standard library.

    import spinscan
    det = spinscan.Detector()          # the default model, found as `spinscan` finds it
    det.score("Some text.")            # the dict `spinscan score -f json` prints
    for r in det.score_many(texts, threads=4):   # results in input order
        ...
    lm = spinscan.Model("model.arpa.gz")          # kenlm.Model's calls, KenLM's numbers
    lm.score("a sentence", bos=True, eos=True); lm.perplexity("a sentence")
    list(lm.full_scores("a sentence")); lm.order

The library is found through $SPINSCAN_LIBRARY, then the path recorded by
`make install`, then build/libspinscan.so of the source tree this package sits
in (PYTHONPATH=python from a built tree), then the system's library path.
Byte offsets in results ("start", "end") count UTF-8 bytes of the text.
"""

import ctypes
import ctypes.util
import collections
import concurrent.futures
import json
import os

__all__ = ["Detector", "Model", "Tokenizer", "SpinscanError", "version"]


class SpinscanError(Exception):
    """A failure reported by the library: .status (name), .path, .line, .byte."""

    def __init__(self, status, message, path="", line=0, byte=0):
        where = path + (":%d" % line if line else "") if path else ""
        super().__init__((where + ": " if where else "") + message)
        self.status, self.path, self.line, self.byte = status, path, line, byte


_STATUS = ["ok", "out of memory", "io", "format", "invalid argument", "unsupported"]


class _Diag(ctypes.Structure):
    _fields_ = [
        ("status", ctypes.c_int),
        ("path", ctypes.c_char * 512),
        ("line", ctypes.c_uint64),
        ("byte", ctypes.c_uint64),
        ("message", ctypes.c_char * 512),
    ]

    def error(self, status):
        name = _STATUS[status] if 0 <= status < len(_STATUS) else str(status)
        msg = self.message.decode("utf-8", "replace") or name
        return SpinscanError(name, msg, self.path.decode("utf-8", "replace"), self.line, self.byte)


class _Score(ctypes.Structure):
    _fields_ = [("prob", ctypes.c_float), ("ngram_length", ctypes.c_ubyte), ("oov", ctypes.c_bool)]


class _SentenceScore(ctypes.Structure):
    _fields_ = [("total", ctypes.c_float), ("tokens", ctypes.c_size_t), ("oov", ctypes.c_size_t)]


class _Segment(ctypes.Structure):
    _fields_ = [
        ("start", ctypes.c_size_t),
        ("end", ctypes.c_size_t),
        ("kind", ctypes.c_char_p),
        ("text", ctypes.c_char_p),
        ("text_len", ctypes.c_size_t),
        ("ntokens", ctypes.c_size_t),
    ]


def _candidates():
    env = os.environ.get("SPINSCAN_LIBRARY")
    if env:
        yield env
        return
    try:
        from . import _libpath  # written by `make install`

        yield _libpath.LIBRARY
    except ImportError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "..", "..", "build", "libspinscan.so")
    found = ctypes.util.find_library("spinscan")
    if found:
        yield found
    yield "libspinscan.so.0"


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
    raise ImportError("spinscan: cannot load libspinscan (set SPINSCAN_LIBRARY): " + "; ".join(errors))


_lib = _load()
_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_libc.free.restype = None

_P = ctypes.c_void_p
_sig = {
    "spin_version": ([], ctypes.c_char_p),
    "spin_detector_open": ([ctypes.c_char_p, ctypes.POINTER(_P), ctypes.POINTER(_Diag)], ctypes.c_int),
    "spin_detector_free": ([_P], None),
    "spin_detector_info": ([_P], ctypes.c_char_p),
    "spin_detect": ([_P, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_P), ctypes.POINTER(_Diag)], ctypes.c_int),
    "spin_result_set_id": ([_P, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
    "spin_result_json": ([_P], _P),
    "spin_result_free": ([_P], None),
    "spin_model_open": ([ctypes.c_char_p, _P, ctypes.POINTER(_P), ctypes.POINTER(_Diag)], ctypes.c_int),
    "spin_model_free": ([_P], None),
    "spin_model_order": ([_P], ctypes.c_uint),
    "spin_vocab_index": ([_P, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_uint32),
    "spin_score_sentence": ([_P, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.POINTER(_Score)], _SentenceScore),
    "spin_tokenizer_new": ([ctypes.POINTER(_P), ctypes.POINTER(_Diag)], ctypes.c_int),
    "spin_tokenizer_free": ([_P], None),
    "spin_tokenize": ([_P, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_P), ctypes.POINTER(_Diag)], ctypes.c_int),
    "spin_tokens_free": ([_P], None),
    "spin_tokens_count": ([_P], ctypes.c_size_t),
    "spin_tokens_segment": ([_P, ctypes.c_size_t, ctypes.POINTER(_Segment)], ctypes.c_int),
}
for _name, (_args, _res) in _sig.items():
    _f = getattr(_lib, _name)
    _f.argtypes, _f.restype = _args, _res

_BOS, _EOS = 1, 2


def version():
    """The library's version."""
    return _lib.spin_version().decode()


def _utf8(text):
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


class Detector:
    """The detector `spinscan score` runs.  model: a model directory or file,
    or None for the default lookup.  One Detector may score from many threads
    at once (score_many does that)."""

    def __init__(self, model=None):
        self._d = _P()
        diag = _Diag()
        path = None if model is None else os.fsencode(model)
        st = _lib.spin_detector_open(path, ctypes.byref(self._d), ctypes.byref(diag))
        if st:
            self._d = None
            raise diag.error(st)
        self.info = json.loads(_lib.spin_detector_info(self._d).decode())

    def close(self):
        if getattr(self, "_d", None):
            _lib.spin_detector_free(self._d)
            self._d = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def score(self, text, id=""):
        """Scores one document (str or UTF-8 bytes): the dict of `score -f json`."""
        if not self._d:
            raise ValueError("the detector is closed")
        data = _utf8(text)
        res, diag = _P(), _Diag()
        st = _lib.spin_detect(self._d, data, len(data), ctypes.byref(res), ctypes.byref(diag))
        if st:
            raise diag.error(st)
        try:
            if id:
                bid = _utf8(id)
                _lib.spin_result_set_id(res, bid, len(bid))
            p = _lib.spin_result_json(res)
            if not p:
                raise MemoryError("spinscan: out of memory")
            try:
                return json.loads(ctypes.string_at(p).decode("utf-8"))
            finally:
                _libc.free(p)
        finally:
            _lib.spin_result_free(res)

    def score_many(self, texts, threads=None, ids=None):
        """Scores every text of the iterable 'texts' on 'threads' threads
        (default: the number of processors) and yields the dicts in input
        order, holding at most a few texts per thread at a time."""
        threads = threads or os.cpu_count() or 1
        if threads == 1:
            for i, t in enumerate(texts):
                yield self.score(t, ids[i] if ids is not None else "")
            return
        window = collections.deque()
        with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
            for i, t in enumerate(texts):
                window.append(pool.submit(self.score, t, ids[i] if ids is not None else ""))
                if len(window) >= 4 * threads:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()


class Model:
    """An n-gram model (ARPA, plain or compressed, or spinscan's binary
    format) with the calls of kenlm.Model that CCNet uses, giving KenLM's
    numbers.  Sentences are split on ASCII whitespace, as KenLM's are."""

    def __init__(self, path):
        self._m = _P()
        diag = _Diag()
        self.path = os.fspath(path)
        st = _lib.spin_model_open(os.fsencode(path), None, ctypes.byref(self._m), ctypes.byref(diag))
        if st:
            self._m = None
            raise diag.error(st)

    def __del__(self):
        if getattr(self, "_m", None):
            _lib.spin_model_free(self._m)
            self._m = None

    @property
    def order(self):
        return _lib.spin_model_order(self._m)

    def score(self, sentence, bos=True, eos=True):
        """log10 P(sentence), with <s> before it (bos) and </s> after it (eos)."""
        data = _utf8(sentence)
        flags = (_BOS if bos else 0) | (_EOS if eos else 0)
        return _lib.spin_score_sentence(self._m, data, len(data), flags, None).total

    def perplexity(self, sentence):
        words = len(_utf8(sentence).split()) + 1  # for </s>
        return 10.0 ** (-self.score(sentence) / words)

    def full_scores(self, sentence, bos=True, eos=True):
        """Yields (log10 prob, n-gram length, oov) per word, then for </s>."""
        data = _utf8(sentence)
        n = len(data.split()) + 1
        scores = (_Score * n)()
        flags = (_BOS if bos else 0) | (_EOS if eos else 0)
        got = _lib.spin_score_sentence(self._m, data, len(data), flags, scores)
        for i in range(got.tokens):
            s = scores[i]
            yield (s.prob, s.ngram_length, bool(s.oov))

    def __contains__(self, word):
        w = _utf8(word)
        return _lib.spin_vocab_index(self._m, w, len(w)) != 0


class Tokenizer:
    """The detector's tokenizer: segments with the normalized tokens the model
    scores (Model.score(segment["text"]) is the segment's log10prob)."""

    def __init__(self):
        self._t, diag = _P(), _Diag()
        st = _lib.spin_tokenizer_new(ctypes.byref(self._t), ctypes.byref(diag))
        if st:
            self._t = None
            raise diag.error(st)

    def __del__(self):
        if getattr(self, "_t", None):
            _lib.spin_tokenizer_free(self._t)
            self._t = None

    def segments(self, text):
        data = _utf8(text)
        tk, diag = _P(), _Diag()
        st = _lib.spin_tokenize(self._t, data, len(data), ctypes.byref(tk), ctypes.byref(diag))
        if st:
            raise diag.error(st)
        try:
            out, seg = [], _Segment()
            for i in range(_lib.spin_tokens_count(tk)):
                _lib.spin_tokens_segment(tk, i, ctypes.byref(seg))
                out.append({
                    "start": seg.start,
                    "end": seg.end,
                    "kind": seg.kind.decode(),
                    "text": seg.text.decode("utf-8", "replace"),
                    "tokens": seg.ntokens,
                })
            return out
        finally:
            _lib.spin_tokens_free(tk)
