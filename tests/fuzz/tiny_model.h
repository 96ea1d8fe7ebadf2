/* tiny_model.h - a small ARPA trigram model written for the fuzz targets and
 * the out-of-memory test: a few dozen common English words, enough for the
 * detector to find matches of every length.  Not trained on anything; the
 * numbers only have to be a valid model. */
#ifndef SPIN_TINY_MODEL_H
#define SPIN_TINY_MODEL_H

static const char tiny_model_arpa[] = "\\data\\\n"
                                      "ngram 1=16\n"
                                      "ngram 2=12\n"
                                      "ngram 3=5\n"
                                      "\n"
                                      "\\1-grams:\n"
                                      "-1.8\t<unk>\t0\n"
                                      "-99\t<s>\t-0.6\n"
                                      "-0.9\t</s>\t0\n"
                                      "-1.1\tthe\t-0.5\n"
                                      "-1.4\ta\t-0.4\n"
                                      "-1.6\tof\t-0.3\n"
                                      "-1.6\tand\t-0.3\n"
                                      "-1.7\tto\t-0.3\n"
                                      "-1.9\tis\t-0.2\n"
                                      "-2.1\tboat\t-0.2\n"
                                      "-2.2\tsea\t-0.2\n"
                                      "-2.2\tharbour\t-0.2\n"
                                      "-2.3\tquiet\t-0.1\n"
                                      "-2.3\twas\t-0.2\n"
                                      "-2.4\tmorning\t-0.1\n"
                                      "-1.3\t.\t-0.4\n"
                                      "\n"
                                      "\\2-grams:\n"
                                      "-0.5\t<s> the\t-0.2\n"
                                      "-0.9\tthe harbour\t-0.1\n"
                                      "-0.9\tthe sea\t-0.1\n"
                                      "-1.0\tthe boat\t-0.1\n"
                                      "-0.6\tharbour was\t-0.1\n"
                                      "-0.7\twas quiet\t-0.1\n"
                                      "-0.8\tquiet .\t0\n"
                                      "-0.2\t. </s>\t0\n"
                                      "-0.8\tof the\t-0.1\n"
                                      "-0.9\tto the\t-0.1\n"
                                      "-1.0\tis a\t0\n"
                                      "-1.2\ta quiet\t0\n"
                                      "\n"
                                      "\\3-grams:\n"
                                      "-0.3\t<s> the harbour\n"
                                      "-0.2\tthe harbour was\n"
                                      "-0.2\tharbour was quiet\n"
                                      "-0.1\twas quiet .\n"
                                      "-0.1\tquiet . </s>\n"
                                      "\n"
                                      "\\end\\\n";

#endif
