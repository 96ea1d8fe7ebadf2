/* test_family.c - spin families (family.h): skeleton signatures, families
 * from LSH and union-find, their kinds and ids whatever the order of the
 * documents, the family boost of the score, signature files (round trip and
 * bad files), learnt substitution sets, and the family fields of rank's lines
 * (rank_entry_refamily). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawl/family.h"
#include "crawl/rank.h"
#include "util/mem.h"
#include "tap.h"

/* A seed article, written for this test: long enough for many shingles. */
static const char *seed_text =
    "The city council voted on Tuesday to restore the old harbour bridge, which has been "
    "closed to traffic since 2019. Engineers said the repairs would take about eighteen "
    "months and cost the city nearly four million pounds. Residents who live near the "
    "water told the meeting that the closure had cut their neighbourhood off from the "
    "shops and the school on the other side. Mayor Ellen Hart said the decision was "
    "overdue and thanked the campaigners for their patience. Work is expected to begin "
    "in the spring, when the weather is better and the river is calm. The council will "
    "also add a cycle lane and wider footpaths, so that people can walk to the market "
    "safely. Some members asked whether the budget could carry the extra cost, but the "
    "vote passed by a large majority. A public meeting about the plans will be held in "
    "the town hall next month, and everyone who lives in the area is invited to come.\n";

/* The seed with content words swapped for synonyms (function words, names
 * and numbers kept), as a thesaurus spinner writes. */
static const char *spun1 =
    "The metropolis council balloted on Tuesday to regain the antique harbour overpass, which "
    "has been shut to commerce since 2019. Technicians stated the fixes would need about "
    "eighteen months and charge the municipality almost four million quid. Inhabitants who "
    "dwell near the liquid informed the gathering that the shutdown had severed their "
    "district off from the stores and the academy on the other flank. Mayor Ellen Hart "
    "stated the verdict was belated and praised the activists for their tolerance. Labour "
    "is anticipated to commence in the springtime, when the climate is finer and the stream "
    "is tranquil. The council will also append a bike path and broader walkways, so that "
    "folks can stroll to the bazaar securely. Some associates queried whether the funds "
    "could bear the additional expense, but the ballot succeeded by a big majority. A "
    "communal assembly about the designs will be held in the municipality hall next month, "
    "and everyone who dwells in the region is welcomed to arrive.\n";

static const char *spun2 =
    "The town board voted on Tuesday to bring back the aged port bridge, which has been "
    "blocked to vehicles since 2019. Builders declared the mending would last about "
    "eighteen months and price the town roughly four million pounds. Locals who reside "
    "near the sea said the session that the blockage had isolated their quarter off from "
    "the boutiques and the college on the other shore. Mayor Ellen Hart remarked the "
    "resolution was late and lauded the advocates for their endurance. Toil is predicted "
    "to start in the spring, when the conditions is nicer and the creek is placid. The "
    "board will also insert a cycle track and roomier sidewalks, so that persons can "
    "march to the fair safely. Some members wondered whether the allowance could shoulder "
    "the surplus outlay, but the poll cleared by a great majority. A civic conference "
    "about the schemes will be held in the civic hall next month, and everyone who "
    "resides in the zone is summoned to attend.\n";

/* Same topic, not a rewrite. */
static const char *other_text =
    "Plans to rebuild the harbour bridge have divided the town for years. Some say a new "
    "crossing further upstream would serve more drivers; others want the money spent on "
    "buses. At a packed meeting last week, shop owners complained that trade has fallen "
    "since the bridge shut, while parents worried about children crossing the busy main "
    "road instead. The mayor has promised a decision before the summer, and a survey of "
    "residents is under way. Whatever happens, nobody expects the work to be cheap or "
    "quick, and the river will keep its old ferry for a while yet. The ferry runs every "
    "half hour and most people now use it to reach the market on Saturdays.\n";

static fam_sig sig_of(const char *t) {
    fam_sig s;
    fam_signature(t, strlen(t), &s);
    return s;
}

static void test_signatures(void) {
    fam_sig a = sig_of(seed_text), a2 = sig_of(seed_text), b = sig_of(spun1), c = sig_of(spun2),
            o = sig_of(other_text);
    ok(!memcmp(&a, &a2, sizeof a), "a text's signature is a function of the text");
    ok(a.nshingles >= FAM_MIN_SHINGLES, "a paragraph has enough skeleton shingles (%u)",
       a.nshingles);
    ok(fam_skel_similarity(&a, &b) >= FAM_JOIN, "a rewrite shares the skeleton (%.2f)",
       fam_skel_similarity(&a, &b));
    ok(fam_skel_similarity(&b, &c) >= FAM_JOIN, "two rewrites share the skeleton (%.2f)",
       fam_skel_similarity(&b, &c));
    ok(fam_word_similarity(&a, &b) < FAM_DUP_MIN, "but not the words (%.2f)",
       fam_word_similarity(&a, &b));
    ok(fam_skel_similarity(&a, &o) < 0.2, "a same-topic article does not (%.2f)",
       fam_skel_similarity(&a, &o));
    /* One content word for a phrase: the same skeleton (runs are one W). */
    const char *x = "We will restore the bridge in 2027 and then we will open the road to "
                    "the market, so that the people of Hull can go to the shops by car.\n";
    const char *y = "We will bring back the overpass in 2027 and then we will unblock the "
                    "highway to the bazaar, so that the folks of Hull can go to the stores by "
                    "automobile.\n";
    fam_sig sx = sig_of(x), sy = sig_of(y);
    is_int((long long)(fam_skel_similarity(&sx, &sy) * 100), 100,
           "content words to phrases keep the skeleton exactly");
    const char *z = "We will restore the bridge in 2028 and then we will open the road to "
                    "the market, so that the people of York can go to the shops by car.\n";
    fam_sig sz = sig_of(z);
    ok(fam_skel_similarity(&sx, &sz) < 1, "numbers and names are part of the skeleton");
    fam_sig e = sig_of("Too short.");
    ok(e.nshingles < FAM_MIN_SHINGLES, "a short text has no usable signature");
    ok(fam_skel_similarity(&e, &e) == 0, "and joins nothing, not even itself");
    fam_sig bad = sig_of("\xff\xfe caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve \xf0\x9f\x98\x80");
    ok(bad.nshingles < FAM_MIN_SHINGLES, "ill-formed UTF-8 is read without harm");
}

typedef struct doc {
    const char *id, *text;
} doc;

static void test_set(void) {
    doc docs[] = {
        {"b/spun1", spun1},      {"a/seed", seed_text},     {"c/spun2", spun2},
        {"d/other", other_text}, {"e/copy-of-other", NULL}, {"f/short", "Too short to matter."},
    };
    char other_copy[4096];
    snprintf(other_copy, sizeof other_copy, "%s\nShare this article.\n", other_text);
    docs[4].text = other_copy;
    size_t n = sizeof docs / sizeof *docs;
    fam_info fwd[8], rev[8];
    for (int pass = 0; pass < 2; ++pass) {
        fam_set *fs;
        fam_set_new(&fs);
        size_t idx[8];
        for (size_t k = 0; k < n; ++k) {
            size_t i = pass ? n - 1 - k : k; /* the other order */
            fam_sig s = sig_of(docs[i].text);
            fam_set_add(fs, docs[i].id, strlen(docs[i].id), 500000, &s, &idx[i]);
        }
        is_int(fam_set_solve(fs), SPIN_OK, "solve (order %d)", pass);
        for (size_t i = 0; i < n; ++i)
            fam_set_info(fs, idx[i], pass ? &rev[i] : &fwd[i]);
        fam_set_free(fs);
    }
    is_str(fwd[0].id, fwd[1].id, "a rewrite and its seed share a family");
    is_str(fwd[2].id, fwd[1].id, "so does a second rewrite");
    is_int(fwd[1].size, 3, "of three members");
    is_int(fwd[1].kind, FAM_SPUN, "a spun family");
    ok(fwd[1].id[0] == 'f' && strlen(fwd[1].id) == 17, "its id is f and 16 hex digits (%s)",
       fwd[1].id);
    is_int(fwd[3].kind, FAM_DUPLICATE, "a copy with a footer makes a duplicate family");
    is_str(fwd[3].id, fwd[4].id, "with its original");
    is_int(fwd[3].size, 2, "of two");
    ok(strcmp(fwd[3].id, fwd[1].id) != 0, "the same-topic article is not in the spun family");
    is_int(fwd[5].size, 1, "a short document is alone");
    is_int(fwd[5].kind, FAM_NONE, "in no family");
    is_str(fwd[5].id, "", "with no id");
    int same = 1;
    for (size_t i = 0; i < n; ++i)
        same &= !strcmp(fwd[i].id, rev[i].id) && fwd[i].size == rev[i].size &&
                fwd[i].kind == rev[i].kind;
    ok(same, "families, ids and kinds do not depend on the order of the documents");
}

static void test_boost(void) {
    fam_info none = {"", 1, FAM_NONE}, dup = {"fx", 5, FAM_DUPLICATE}, two = {"fx", 2, FAM_SPUN},
             three = {"fx", 3, FAM_SPUN}, six = {"fx", 6, FAM_SPUN}, big = {"fx", 500, FAM_SPUN};
    is_int(fam_boost_units(300000, &none), 300000, "no family: the score is the text's");
    is_int(fam_boost_units(300000, &dup), 300000, "a duplicate family changes nothing");
    is_int(fam_boost_units(300000, &two), 300000, "nor does a spun pair");
    /* 1 - 0.7 * 0.6 = 0.58 */
    is_int(fam_boost_units(300000, &three), 580000, "a spun family of 3 raises 0.3 to 0.58");
    ok(fam_boost_units(300000, &six) > fam_boost_units(300000, &three),
       "a larger family raises it more");
    is_int(fam_boost_units(300000, &big), 965000, "up to w = 0.95 (0.3 -> 0.965)");
    is_int(fam_boost_units(1000000, &three), 1000000, "1 stays 1");
    is_int(fam_boost_units(0, &three), 400000, "0 becomes w = 0.4");
}

static void test_files(void) {
    fam_set *fs, *back;
    fam_set_new(&fs);
    fam_set_new(&back);
    fam_sig a = sig_of(seed_text), b = sig_of(spun1);
    fam_set_add(fs, "one", 3, 123456, &a, NULL);
    fam_set_add(fs, "tw\0o", 4, 1000000, &b, NULL);
    FILE *f = tmpfile();
    is_int(fam_set_write(fs, f), SPIN_OK, "signatures written");
    long size = ftell(f);
    is_int(size, 32 + 2 * (12 + 4 * (FAM_K_SKEL + FAM_K_WORD)) + 3 + 4,
           "32 bytes of header, then 12 + id + %d bytes per document",
           4 * (FAM_K_SKEL + FAM_K_WORD));
    rewind(f);
    spin_diag d;
    is_int(fam_set_read(back, f, "x.sig", &d), SPIN_OK, "and read back");
    is_int(fam_set_count(back), 2, "two documents");
    size_t len;
    const char *id = fam_set_id(back, 1, &len);
    ok(len == 4 && !memcmp(id, "tw\0o", 4), "ids are bytes (NUL included)");
    is_int(fam_set_score(back, 0), 123456, "scores kept");
    fam_set_solve(back);
    fam_info fi;
    fam_set_info(back, 0, &fi);
    is_int(fi.size, 2, "and the signatures: the two still make a family");
    /* A truncated file: the error names the record's offset. */
    unsigned char buf[4096];
    rewind(f);
    size_t got = fread(buf, 1, sizeof buf, f);
    FILE *t = tmpfile();
    fwrite(buf, 1, got - 10, t);
    rewind(t);
    fam_set *x;
    fam_set_new(&x);
    is_int(fam_set_read(x, t, "t.sig", &d), SPIN_EFORMAT, "a truncated file is refused");
    is_int((long long)d.byte, 32 + 12 + 3 + 4 * (FAM_K_SKEL + FAM_K_WORD),
           "at the byte of its last record");
    ok(strstr(d.message, "truncated") != NULL, "saying why: %s", d.message);
    fclose(t);
    t = tmpfile();
    fputs("spin_score\tid\n", t);
    rewind(t);
    is_int(fam_set_read(x, t, "r.tsv", &d), SPIN_EFORMAT, "a file that is not one is refused");
    is_str(d.path, "r.tsv", "naming it");
    fclose(t);
    t = tmpfile();
    memcpy(buf + 12, "\x07\0\0\0", 4); /* FAM_K_SKEL */
    fwrite(buf, 1, got, t);
    rewind(t);
    is_int(fam_set_read(x, t, "p.sig", &d), SPIN_EFORMAT, "other parameters are refused");
    fclose(t);
    fclose(f);
    fam_set_free(x);
    fam_set_free(fs);
    fam_set_free(back);
}

typedef struct sets {
    char all[2048];
    size_t n;
} sets;

static void collect(void *ctx, const char *const *w, size_t n) {
    sets *s = ctx;
    size_t o = strlen(s->all);
    for (size_t i = 0; i < n; ++i)
        o += (size_t)snprintf(s->all + o, sizeof s->all - o, "%s%s", i ? "|" : "", w[i]);
    snprintf(s->all + o, sizeof s->all - o, ";");
    ++s->n;
}

static void test_subs(void) {
    const char *p = "We must restore the old bridge before the winter. The river is calm.\n";
    const char *m1 = "We must regain the old bridge before the winter. The stream is calm.\n";
    const char *m2 = "We must bring back the aged bridge before the winter. The river is "
                     "tranquil.\n";
    fam_subs *s;
    is_int(fam_subs_new(p, strlen(p), &s), SPIN_OK, "substitutions of a family");
    fam_subs_add(s, m1, strlen(m1));
    fam_subs_add(s, m2, strlen(m2));
    sets got = {"", 0};
    fam_subs_each(s, collect, &got);
    is_str(got.all, "aged|old;bring back|regain|restore;calm|tranquil;river|stream;",
           "aligned words that differ are the spinner's synonym sets");
    fam_subs_free(s);
}

static rank_entry *entry(rank_format f, const char *line) {
    rank_entry *e;
    rank_entry_from_line(250000, "d1", 2, line, strlen(line), 7, &e);
    (void)f;
    return e;
}

static void test_refamily(void) {
    fam_info fi = {"f00000000000000ab", 3, FAM_SPUN}, none = {"", 1, FAM_NONE};
    rank_entry *e = entry(RANK_JSONL, "{\"id\": \"d1\", \"spin_score\": 0.25, \"verdict\": "
                                      "\"natural\", \"sentences\": 2, \"flagged\": 0, "
                                      "\"tokens\": 9}");
    rank_entry *a, *b;
    is_int(rank_entry_refamily(RANK_JSONL, e, false, 550000, &fi, &a), SPIN_OK, "jsonl");
    is_str(rank_entry_line(a),
           "{\"id\": \"d1\", \"spin_score\": 0.55, \"family\": \"f00000000000000ab\", "
           "\"family_size\": 3, \"family_kind\": \"spun\", \"verdict\": \"natural\", "
           "\"sentences\": 2, \"flagged\": 0, \"tokens\": 9}\n",
           "jsonl: the new score, then the family fields");
    is_int(a->score, 550000, "the entry ranks by the new score");
    is_int(rank_entry_refamily(RANK_JSONL, a, false, 250000, &none, &b), SPIN_OK, "again");
    is_str(rank_entry_line(b),
           "{\"id\": \"d1\", \"spin_score\": 0.25, \"family\": null, \"family_size\": 1, "
           "\"family_kind\": null, \"verdict\": \"natural\", \"sentences\": 2, \"flagged\": 0, "
           "\"tokens\": 9}\n",
           "jsonl: family fields already there are replaced");
    mem_free(e);
    mem_free(a);
    mem_free(b);
    e = entry(RANK_TSV, "0.250000\td1\t2\t0");
    rank_entry_refamily(RANK_TSV, e, false, 550000, &fi, &a);
    is_str(rank_entry_line(a), "0.550000\td1\t2\t0\tf00000000000000ab\t3\tspun\n",
           "tsv: three columns after flagged");
    rank_entry_refamily(RANK_TSV, a, true, 250000, &none, &b);
    is_str(rank_entry_line(b), "0.250000\td1\t2\t0\t-\t1\t-\n", "tsv: none is -, replaced");
    is_str(rank_tsv_header(true),
           "spin_score\tid\tsentences\tflagged\tfamily\tfamily_size\t"
           "family_kind\n",
           "tsv header with the family columns");
    ok(rank_tsv_has_family(rank_tsv_header(true), strlen(rank_tsv_header(true))) &&
           !rank_tsv_has_family(RANK_TSV_HEADER, strlen(RANK_TSV_HEADER)),
       "which merge recognises");
    mem_free(e);
    mem_free(a);
    mem_free(b);
    e = entry(RANK_ATTRIBUTES, "{\"id\": \"d1\", \"attributes\": {\"spinscan__spin\": [[0, 5, "
                               "0.1]], \"spinscan__doc\": [[0, 12, 0.25]]}}");
    rank_entry_refamily(RANK_ATTRIBUTES, e, false, 550000, &fi, &a);
    is_str(rank_entry_line(a),
           "{\"id\": \"d1\", \"attributes\": {\"spinscan__spin\": [[0, 5, 0.1]], "
           "\"spinscan__doc\": [[0, 12, 0.55]], \"spinscan__family\": [[0, 12, "
           "\"f00000000000000ab\"]], \"spinscan__family_size\": [[0, 12, 3]], "
           "\"spinscan__family_kind\": [[0, 12, \"spun\"]]}}\n",
           "attributes: spans over the whole document");
    rank_entry_refamily(RANK_ATTRIBUTES, a, false, 250000, &none, &b);
    is_str(rank_entry_line(b),
           "{\"id\": \"d1\", \"attributes\": {\"spinscan__spin\": [[0, 5, 0.1]], "
           "\"spinscan__doc\": [[0, 12, 0.25]], \"spinscan__family\": [], "
           "\"spinscan__family_size\": [[0, 12, 1]], \"spinscan__family_kind\": []}}\n",
           "attributes: none is [], replaced");
    mem_free(e);
    mem_free(a);
    mem_free(b);
    e = entry(RANK_JSONL, "{\"id\": \"d1\"}");
    is_int(rank_entry_refamily(RANK_JSONL, e, false, 1, &fi, &a), SPIN_EFORMAT,
           "a line rank did not write is refused");
    mem_free(e);
}

int main(void) {
    test_signatures();
    test_set();
    test_boost();
    test_files();
    test_subs();
    test_refamily();
    return tap_done();
}
