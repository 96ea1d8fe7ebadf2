#!/usr/bin/env node
// auc.js - exact ROC-AUC (the Mann-Whitney U statistic), ties counted half.
//
//   node scripts/auc.js [FILE]     lines "LABEL SCORE" (LABEL 0 or 1, white space
//                                  between), '#' comments and empty lines skipped;
//                                  prints the AUC, n1 and n0: "0.6875 4 4"
//   require('./auc.js').auc(pos, neg)   AUC of two arrays of numbers
//
// AUC = P(score of a random positive > score of a random negative) + 0.5 P(tie),
// computed from average ranks: (R1 - n1 (n1 + 1) / 2) / (n1 n0), where R1 is
// the sum of the positives' ranks in the pooled sample and tied scores share
// the mean of their ranks.  Ranks are multiples of 0.5, so the sums are exact
// in doubles for any sample this project sees.  Higher scores must mean "more
// likely positive".  NaN when either class is empty or a score is not finite.
'use strict';

function auc(pos, neg) {
    const n1 = pos.length, n0 = neg.length;
    if (!n1 || !n0) return NaN;
    const all = [];
    for (const s of pos) all.push([Number(s), 1]);
    for (const s of neg) all.push([Number(s), 0]);
    if (all.some(([s]) => !Number.isFinite(s))) return NaN;
    all.sort((a, b) => a[0] - b[0]);
    let r1 = 0;
    for (let i = 0; i < all.length;) {
        let j = i;
        while (j < all.length && all[j][0] === all[i][0]) j++;
        const rank = (i + 1 + j) / 2; // mean of the ranks i+1 .. j
        for (let k = i; k < j; k++) if (all[k][1]) r1 += rank;
        i = j;
    }
    return (r1 - n1 * (n1 + 1) / 2) / (n1 * n0);
}

module.exports = { auc };

if (require.main === module) {
    const fs = require('fs');
    const file = process.argv[2];
    if (process.argv.length > 3 || file === '-h' || file === '--help') {
        process.stderr.write('usage: node scripts/auc.js [FILE]   (lines "LABEL SCORE"; LABEL 0 or 1)\n');
        process.exit(2);
    }
    const text = fs.readFileSync(file && file !== '-' ? file : 0, 'utf8');
    const pos = [], neg = [];
    text.split('\n').forEach((line, i) => {
        const t = line.trim();
        if (!t || t[0] === '#') return;
        const f = t.split(/\s+/);
        if (f.length !== 2 || !/^[01]$/.test(f[0]) || !Number.isFinite(Number(f[1]))) {
            process.stderr.write(`auc.js: ${file || '<stdin>'}:${i + 1}: expected "LABEL SCORE"\n`);
            process.exit(1);
        }
        (f[0] === '1' ? pos : neg).push(Number(f[1]));
    });
    const a = auc(pos, neg);
    console.log(`${Number.isNaN(a) ? 'NaN' : String(Number(a.toFixed(12)))} ${pos.length} ${neg.length}`);
}
