#!/usr/bin/env node
// famcrawl.js - a crawl with known spin families, generated at test time
// (tests/cli/families.t, scripts/bench.d/55-families.sh).
//
//   node famcrawl.js --thesaurus WORDS.txt --web DIR --corpus DIR --out DIR
//                    [--seed N] [--repeat R --slice N] [--chunks K]
//
// Sources: every .txt in --web (one article each; tests/data/web, written by
// us) and chunks of 8-40 consecutive lines of every .txt in --corpus
// (models/corpus/heldout: fetched text, documents separated by empty lines;
// neighbouring chunks of one speech are same-topic documents that are not
// rewrites of each other).  The thesaurus is in Moby's words.txt format, one
// sense a line (scripts/fetch-ding.sh: Ding, not Moby).  The crawl has
//   - spun families: a seed spun into 3-8 variants (the seed itself in half
//     of them), each variant by one of two spinners at a rate of 30-60 % of
//     the words they may replace (never those of a stop list of function
//     words, as article spinners do): "blind" takes any sense of any word of
//     3+ letters, phrases included; "careful" only words of 4+ letters, single
//     word synonyms, the sense the word heads when there is one;
//   - copy groups: a document and 1-3 copies with a new title line, an
//     added footer, or changed spacing;
//   - spun singletons: a document spun once, its seed not in the crawl;
//   - natural singletons: everything else.
// Writes OUT/crawl.jsonl ({"id", "text"}) and OUT/truth.tsv (id, kind, group)
// with kind spun, copy, spun-single or natural.  --corpus may list several
// directories (comma-separated); --chunks K: at most K chunks of one corpus
// document (default 14).  --repeat R --slice N writes R crawls of N source
// documents each, from disjoint parts of the sources, in one (the bench's
// 1x, 4x, 16x: the same mix, R times larger, no document repeated).
"use strict";
const fs = require("fs");
const path = require("path");

const arg = (name, def) => {
    const i = process.argv.indexOf("--" + name);
    return i > 0 ? process.argv[i + 1] : def;
};
const thesaurus = arg("thesaurus"), webDir = arg("web"), corpusDir = arg("corpus");
const outDir = arg("out");
if (!thesaurus || !webDir || !corpusDir || !outDir) {
    console.error("usage: famcrawl.js --thesaurus F --web DIR --corpus DIR --out DIR [--seed N] [--repeat R]");
    process.exit(2);
}
let state = Number(arg("seed", "1")) >>> 0 || 1;
const repeat = Number(arg("repeat", "1")), slice = Number(arg("slice", "0"));
const maxChunks = Number(arg("chunks", "14"));
const rand = () => { // xorshift32
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 4294967296;
};
const pick = (a) => a[Math.floor(rand() * a.length)];
const shuffle = (a) => {
    for (let i = a.length - 1; i > 0; --i) {
        const j = Math.floor(rand() * (i + 1));
        [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
};

// word -> senses (arrays of alternatives); heads: word -> the sense it heads
const senses = new Map(), heads = new Map();
for (const line of fs.readFileSync(thesaurus, "utf8").split("\n")) {
    const alts = line.split(",").map((s) => s.trim()).filter((s) => /^[a-z]+( [a-z]+)*$/.test(s));
    if (alts.length < 2) continue;
    for (const w of alts) {
        if (!senses.has(w)) senses.set(w, []);
        senses.get(w).push(alts);
    }
    if (!heads.has(alts[0])) heads.set(alts[0], alts);
}

const stop = new Set(("a about above after again all also am an and any are as at be because been before " +
    "being below between both but by can could did do does each for from had has have he her here his how " +
    "i if in into is it its just may me more most must my no nor not now of off on once only or other our " +
    "out over own same she should so some such than that the their them then there these they this those " +
    "through to too under until up very was we were what when where which while who why will with would " +
    "you your").split(" "));

const caseLike = (orig, w) =>
    orig === orig.toUpperCase() && orig.length > 1 ? w.toUpperCase()
        : orig[0] === orig[0].toUpperCase() ? w[0].toUpperCase() + w.slice(1) : w;

function spin(text, spinner, rate) {
    return text.replace(/[A-Za-z]+/g, (orig) => {
        const w = orig.toLowerCase();
        const ss = senses.get(w);
        if (!ss) return orig;
        if (stop.has(w) || w.length < (spinner === "careful" ? 4 : 3)) return orig;
        if (rand() >= rate) return orig;
        let alts;
        if (spinner === "careful") {
            alts = (heads.get(w) || pick(ss)).filter((a) => a !== w && !a.includes(" "));
        } else {
            alts = pick(ss).filter((a) => a !== w);
        }
        if (!alts.length) return orig;
        return caseLike(orig, pick(alts));
    });
}

const titles = ["Read this before you buy", "Our guide, updated", "The complete story",
    "What you need to know today", "Everything explained", "News and notes"];
const footers = ["\nCopyright 2026 Example Media. All rights reserved.\n",
    "\nShare this article with your friends. Subscribe to our newsletter for more.\n",
    "\nThis post first appeared on our partner site. Reprinted with permission.\n"];

function copyOf(text, how) {
    const lines = text.split("\n");
    if (how === 0) // a new title: over the old one if the first line is one, else above the text
        return [pick(titles)].concat(lines[0].length < 100 ? lines.slice(1) : lines).join("\n");
    if (how === 1) return text.replace(/\s*$/, "") + pick(footers);
    return text.replace(/ /g, () => (rand() < 0.1 ? "  " : " ")).replace(/\n/g, "\n\n");
}

// Sources.
const web = fs.readdirSync(webDir).filter((f) => f.endsWith(".txt")).sort()
    .map((f) => ({ id: "web/" + f, text: fs.readFileSync(path.join(webDir, f), "utf8") }));
const chunks = [];
// Natural singletons come from free prose (the general and speeches sources,
// as in the corpus layout this test was written for).  Templated text (API
// references, dictionary entries, game data) shares its skeleton from entry to
// entry, so pieces of it are families in the method's sense, not singletons.
const prose = new Set(["nlp.txt", "sotu.txt"]);
for (const dir of corpusDir.split(","))
for (const f of fs.readdirSync(dir).filter((f) => prose.has(f)).sort()) {
    const docs = fs.readFileSync(path.join(dir, f), "utf8").split(/\n\s*\n/);
    const tag = corpusDir.includes(",") ? path.basename(dir) + "/" + f : f;
    docs.forEach((doc, d) => {
        const lines = doc.split("\n").filter((l) => l.trim().length);
        for (let i = 0, k = 0; i < lines.length && k < maxChunks; ++k) {
            const want = 8 + Math.floor(rand() * 33);
            let text = lines.slice(i, i + want).join("\n") + "\n";
            if (text.length > 20000) // a whole speech on one line: its first sentences
                text = text.slice(0, text.indexOf(". ", 20000) + 1 || 20000) + "\n";
            chunks.push({ id: `${tag}/${d}/${i}`, text });
            i += want;
        }
    });
}

fs.mkdirSync(outDir, { recursive: true });
const crawl = [], truth = [];
const sources = shuffle(web.concat(chunks));
if (slice && slice * repeat > sources.length) {
    console.error(`famcrawl: ${repeat} x ${slice} documents wanted, ${sources.length} in the sources`);
    process.exit(1);
}
for (let r = 0; r < repeat; ++r) {
    const sfx = repeat > 1 ? "/r" + r : "";
    const pool = slice ? sources.slice(r * slice, (r + 1) * slice) : shuffle(sources.slice());
    let next = 0;
    const take = () => pool[next++];
    const add = (id, text, kind, group) => {
        crawl.push({ id: id + sfx, text });
        truth.push([id + sfx, kind, group ? group + sfx : "-"]);
    };
    for (let s = 0; s < 14; ++s) {
        const seed = take(), n = 3 + Math.floor(rand() * 6), g = "spun" + s;
        if (rand() < 0.5) add(seed.id, seed.text, "spun", g);
        for (let v = 0; v < n; ++v) {
            const spinner = rand() < 0.5 ? "blind" : "careful", rate = 0.3 + rand() * 0.3;
            add(`${seed.id}#v${v}-${spinner}-${Math.round(rate * 100)}`, spin(seed.text, spinner, rate), "spun", g);
        }
    }
    for (let c = 0; c < 10; ++c) {
        const orig = take(), n = 1 + Math.floor(rand() * 3), g = "copy" + c;
        add(orig.id, orig.text, "copy", g);
        for (let k = 0; k < n; ++k) add(`${orig.id}#copy${k}`, copyOf(orig.text, (c + k) % 3), "copy", g);
    }
    for (let s = 0; s < 15; ++s) {
        const d = take(), spinner = s % 2 ? "blind" : "careful";
        add(`${d.id}#single-${spinner}`, spin(d.text, spinner, 0.3 + rand() * 0.3), "spun-single", null);
    }
    while (next < pool.length) {
        const d = take();
        add(d.id, d.text, "natural", null);
    }
}
// Shuffled, so that family members are far apart in the crawl.
const order = shuffle(crawl.map((_, i) => i));
fs.writeFileSync(path.join(outDir, "crawl.jsonl"), order.map((i) => JSON.stringify(crawl[i])).join("\n") + "\n");
fs.writeFileSync(path.join(outDir, "truth.tsv"), truth.map((t) => t.join("\t")).join("\n") + "\n");
