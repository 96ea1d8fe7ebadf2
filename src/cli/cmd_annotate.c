/* cmd_annotate.c - `spinscan annotate`: JSON Lines in, the same lines out in
 * input order with the detector's findings added to every record (see
 * jsonl_pipe.h for the threads and the memory bound, jsonrec.h for the
 * members added).
 *
 * Exit status: 0 every record scored; 3 done, but some records could not be
 * scored (written through with PREFIX_error, counted in the summary); 1 a
 * fatal error (model, unreadable or corrupt input, output); 2 usage.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/detector_load.h"
#include "cli/jsonl_pipe.h"
#include "cli/outfile.h"
#include "text/writer.h"

enum { OPT_PREFIX = 256, OPT_TEXT_FIELD, OPT_COMPRESS, OPT_MAX_BYTES };

static const cli_option options[] = {
    {'m', "model", "PATH", "model file or directory (as for score)"},
    {'o', "output", "OUT", "write to OUT (replaced only when complete; .gz, .zst compress)"},
    {'j', "jobs", "N", "scoring threads (default: the number of processors)"},
    {OPT_PREFIX, "prefix", "NAME", "prefix of the added members (default spinscan)"},
    {OPT_TEXT_FIELD, "text-field", "NAME", "the field holding the text (default text)"},
    {OPT_COMPRESS, "compress", "FMT", "gzip, zstd or none (default: from OUT's name; none)"},
    {OPT_MAX_BYTES, "max-bytes", "N", "longest input line (default 64M; K, M, G)"},
    {'q', "quiet", NULL, "no warnings per record and no summary line"},
    {0, NULL, NULL, NULL},
};

static int run(const cli_command *cmd, int argc, char **argv) {
    cli_parser cp;
    pipe_config pc;
    memset(&pc, 0, sizeof pc);
    pc.mode = PIPE_ANNOTATE;
    pc.text_field = "text";
    pc.name = "spinscan";
    pc.max_line = (uint64_t)64 << 20;
    int compress = -1, c;
    cli_parser_init(&cp);
    while ((c = cli_next(cmd, &cp, argc, argv)) != -1) {
        switch (c) {
        case CLI_STOP:
            return cp.status;
        case OPT_PREFIX:
            if (!*cp.optarg || strlen(cp.optarg) > 200)
                return cli_usage_error(cmd, "--prefix needs a name of 1 to 200 bytes");
            pc.name = cp.optarg;
            break;
        case OPT_TEXT_FIELD:
            pc.text_field = cp.optarg;
            break;
        case OPT_COMPRESS:
            if (cli_choice(cmd, cp.optarg, (const char *const[]){"gzip", "zstd", "none", NULL},
                           (const int[]){WRITER_GZIP, WRITER_ZSTD, WRITER_PLAIN}, &compress,
                           "--compress takes gzip, zstd or none, not '%s'") != EXIT_OK)
                return EXIT_USAGE;
            break;
        case OPT_MAX_BYTES:
            if (cli_parse_size(cp.optarg, &pc.max_line) != 0 || pc.max_line == 0)
                return cli_usage_error(cmd, "--max-bytes needs a size such as 64M, not '%s'",
                                       cp.optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    pc.out_path = cp.output && strcmp(cp.output, "-") ? cp.output : NULL;
    pc.threads = cli_jobs(&cp);
    pc.quiet = cp.quiet;
    pc.out_format = compress >= 0 ? compress
                    : pc.out_path ? (int)writer_format_for(pc.out_path)
                                  : WRITER_PLAIN;
    size_t n = cp.optind < argc ? (size_t)(argc - cp.optind) : 1;
    pipe_file *files = calloc(n, sizeof *files);
    if (!files) {
        cli_error("out of memory");
        return EXIT_DATA;
    }
    for (size_t i = 0; i < n; ++i)
        files[i].in = cp.optind < argc ? argv[cp.optind + (int)i] : "-";
    loaded_detector ld;
    /* A long run: models go into memory, not a mapping. */
    if (detector_load(cp.model, true, false, &ld) != 0) {
        free(files);
        return EXIT_DATA;
    }
    int status = jsonl_pipe_run(&pc, &ld, files, n);
    detector_load_free(&ld);
    free(files);
    return status;
}

const cli_command cmd_annotate = {
    "annotate",
    "[-m MODEL] [-j N] [-o OUT] [--prefix NAME] [--text-field NAME] [FILE...]",
    "Adds the detector's findings to every record of JSON Lines (FILE..., or standard\n"
    "input; gzip, bzip2, xz and zstd are decompressed) and writes the same lines in\n"
    "the same order, every input field kept byte for byte, with these members\n"
    "appended to each object (PREFIX is --prefix, default spinscan):\n"
    "  PREFIX_spin_score   0 (natural) .. 1 (machine-made), as score gives it\n"
    "  PREFIX_verdict      natural, suspect, spun, salad, stuffing or unsupported\n"
    "  PREFIX_perplexity   the text's perplexity under the language model\n"
    "  PREFIX_spans        the flagged sentences, [[start, end, spin], ...], offsets in\n"
    "                      code points of the text (Python's str indices)\n"
    "  PREFIX_model        the tool version and the model's checksum\n"
    "A record that cannot be scored (no string text field, binary text) gets only\n"
    "PREFIX_error with the reason, is counted and warned about; a line that is not a\n"
    "JSON object, and a blank line, are copied unchanged.  Output goes to standard\n"
    "output or OUT, compressed as --compress or OUT's name (.gz, .zst) says.\n"
    "Memory stays bounded (a window of lines ahead of the output) whatever the size\n"
    "of the input; the output does not depend on -j.\n"
    "\n"
    "exit status for annotate: 0 every record scored, 3 some records could not be\n"
    "scored, 1 fatal error (unreadable or corrupt input, model, output), 2 usage error.",
    options,
    run,
};
