#include "common/nft.hpp"

#include <nftables/libnftables.h>

namespace pppkit::nft {
namespace {
std::string trimmed(const char* s)
{
    std::string out = s != nullptr ? s : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}
}  // namespace

Context::Context() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT))
{
    if (ctx_ != nullptr) {
        nft_ctx_buffer_output(ctx_);
        nft_ctx_buffer_error(ctx_);
    }
}

Context::~Context()
{
    if (ctx_ != nullptr)
        nft_ctx_free(ctx_);
}

Result Context::exec(std::string_view cmds, bool dry)
{
    Result r;
    if (ctx_ == nullptr) {
        r.error = "cannot create an nftables context";
        return r;
    }
    std::string buf(cmds);
    nft_ctx_set_dry_run(ctx_, dry);
    int rc = nft_run_cmd_from_buffer(ctx_, buf.c_str());
    nft_ctx_set_dry_run(ctx_, false);
    r.output = trimmed(nft_ctx_get_output_buffer(ctx_));
    r.error = trimmed(nft_ctx_get_error_buffer(ctx_));
    r.ok = rc == 0;
    if (!r.ok && r.error.empty())
        r.error = "nft failed (rc " + std::to_string(rc) + ")";
    return r;
}

Result Context::run(std::string_view cmds) { return exec(cmds, false); }
Result Context::check(std::string_view cmds) { return exec(cmds, true); }

}  // namespace pppkit::nft
