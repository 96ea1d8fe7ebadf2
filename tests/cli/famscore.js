#!/usr/bin/env node
// famscore.js - scores spin families found against a famcrawl.js truth.
//
//   node famscore.js TRUTH.tsv FOUND
//
// FOUND is the JSON Lines of `spinscan rank -f jsonl --families` (one line
// per document: id, family, family_kind) or of `spinscan families --all` (one
// line per family: family, kind, members).  Prints one line of figures:
//   precision P recall R duplicate D wrongly-grouped W (N natural)
// precision and recall: pairs of documents that share a "spun" family,
// against pairs of one spun seed's variants (and the seed); duplicate: the
// share of copy-group documents in a "duplicate" family with exactly their
// group; wrongly-grouped: the share of natural documents and spun singletons
// put in any family.
"use strict";
const fs = require("fs");
const [truthPath, foundPath] = process.argv.slice(2);
const truth = new Map();
for (const line of fs.readFileSync(truthPath, "utf8").split("\n")) {
    if (!line) continue;
    const [id, kind, group] = line.split("\t");
    truth.set(id, { kind, group });
}
const fam = new Map(); // id -> {family, kind}
for (const line of fs.readFileSync(foundPath, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const o = JSON.parse(line);
    if (Array.isArray(o.members)) {
        for (const m of o.members) fam.set(m, { family: o.family, kind: o.kind });
    } else if ("family" in o) {
        fam.set(o.id, { family: o.family, kind: o.family_kind });
    }
}
const ids = [...truth.keys()];
const byGroup = new Map(), byFam = new Map();
for (const id of ids) {
    const t = truth.get(id), f = fam.get(id);
    if (t.kind === "spun") (byGroup.get(t.group) || byGroup.set(t.group, []).get(t.group)).push(id);
    if (f && f.family && f.kind === "spun") (byFam.get(f.family) || byFam.set(f.family, []).get(f.family)).push(id);
}
let truePairs = 0, foundPairs = 0, both = 0;
for (const m of byGroup.values()) truePairs += (m.length * (m.length - 1)) / 2;
for (const m of byFam.values()) {
    foundPairs += (m.length * (m.length - 1)) / 2;
    for (let i = 0; i < m.length; ++i)
        for (let j = i + 1; j < m.length; ++j) {
            const a = truth.get(m[i]), b = truth.get(m[j]);
            if (a.kind === "spun" && b.kind === "spun" && a.group === b.group) ++both;
        }
}
// Copies: in a duplicate family whose members are exactly the copy group.
const famMembers = new Map();
for (const [id, f] of fam) if (f.family) (famMembers.get(f.family) || famMembers.set(f.family, []).get(f.family)).push(id);
let copies = 0, copiesOk = 0, natural = 0, grouped = 0;
for (const id of ids) {
    const t = truth.get(id), f = fam.get(id);
    if (t.kind === "copy") {
        ++copies;
        if (f && f.family && f.kind === "duplicate") {
            const mem = famMembers.get(f.family);
            if (mem.every((m) => truth.get(m) && truth.get(m).group === t.group)) ++copiesOk;
        }
    } else if (t.kind === "natural" || t.kind === "spun-single") {
        ++natural;
        if (f && f.family) ++grouped;
    }
}
const missing = ids.filter((id) => !fam.has(id)).length;
if (missing && foundPath && !fs.readFileSync(foundPath, "utf8").includes("\"members\"")) {
    console.error(`famscore: ${missing} documents of the truth are not in ${foundPath}`);
    process.exit(1);
}
const p = foundPairs ? both / foundPairs : 1, r = truePairs ? both / truePairs : 1;
console.log(`precision ${p.toFixed(4)} recall ${r.toFixed(4)} duplicate ${(copies ? copiesOk / copies : 1).toFixed(4)} ` +
    `wrongly-grouped ${(natural ? grouped / natural : 0).toFixed(4)} (${natural} natural, ${copies} copies, ` +
    `${truePairs} spun pairs, ${foundPairs} found)`);
