// nft_quote.cpp - nft::quote (nft.hpp), in its own object so that code which
// only builds rule text (config checks, the DDNS worker, the CLI) does not
// pull nft.o and with it libnftables and its libraries (gmp, xtables,
// jansson, nftnl, mnl) into processes that never talk to nftables.
#include "common/nft.hpp"

namespace pppkit::nft {

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace pppkit::nft
