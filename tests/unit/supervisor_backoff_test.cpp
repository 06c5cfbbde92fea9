// Unit tests of the redial backoff (supervisor/core/backoff.cpp).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "core/backoff.hpp"

using namespace pppkit::supervisor;

TEST_SUITE("supervisor")
{
    TEST_CASE("backoff: doubles from the floor to the ceiling; jitter adds at most half")
    {
        BackoffPolicy p{.floor_ms = 1000, .ceiling_ms = 60000, .stable_after_ms = 60000, .max_dials_per_hour = 1000};
        struct Row {
            int line;
            uint32_t rnd;
            int64_t want;  // the delay of the nth consecutive failure (row order)
        };
        const std::vector<Row> rows = {
            {__LINE__, 0, 1000},            // floor, no jitter
            {__LINE__, 0, 2000},            //
            {__LINE__, 0xffffffff, 5999},   // 4000 + almost 2000
            {__LINE__, 0x80000000, 10000},  // 8000 + 2000
            {__LINE__, 0, 16000},           //
            {__LINE__, 0, 32000},           //
            {__LINE__, 0, 60000},           // ceiling, not 64000
            {__LINE__, 0xffffffff, 60000},  // jitter never exceeds the ceiling
            {__LINE__, 0, 60000},
        };
        BackoffState s;
        int64_t now = 0;
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto d = backoff_next(p, s, now, r.rnd);
            CHECK(d.ms == r.want);
            CHECK_FALSE(d.hourly_bound);
            now += d.ms;
            backoff_dialled(s, now);
        }
    }

    TEST_CASE("backoff: a link stable for stable-after starts again at the floor; a short one does not")
    {
        BackoffPolicy p{.floor_ms = 2000, .ceiling_ms = 300000, .stable_after_ms = 60000, .max_dials_per_hour = 1000};
        struct Row {
            int line;
            int64_t up_for;  // ms the link was up before it ended (-1: never came up)
            int64_t want;
        };
        const std::vector<Row> rows = {
            {__LINE__, -1, 2000},    {__LINE__, -1, 4000},      {__LINE__, 59999, 8000},  // just too short
            {__LINE__, 60000, 2000},                                                      // stable: reset
            {__LINE__, 1000, 4000},  {__LINE__, 3600000, 2000},
        };
        BackoffState s;
        int64_t now = 1000000;
        for (const auto& r : rows) {
            CAPTURE(r.line);
            if (r.up_for >= 0) {
                backoff_link_up(s, now);
                now += r.up_for;
            }
            auto d = backoff_next(p, s, now, 0);
            CHECK(d.ms == r.want);
            now += d.ms;
        }
    }

    TEST_CASE("backoff: never more than max-dials-per-hour dials in any hour, whatever the delays say")
    {
        BackoffPolicy p{.floor_ms = 1000, .ceiling_ms = 1000, .stable_after_ms = 1000, .max_dials_per_hour = 4};
        BackoffState s;
        int64_t now = 0;
        std::vector<int64_t> dials;
        for (int i = 0; i < 12; ++i) {
            CAPTURE(i);
            auto d = backoff_next(p, s, now, 0xffffffff);
            if (i <= 4)
                CHECK(d.hourly_bound == (i == 4));  // the fifth dial waits for the first to age out
            now += d.ms;
            backoff_dialled(s, now);
            dials.push_back(now);
        }
        // any window of one hour holds at most 4 dials
        for (size_t i = 4; i < dials.size(); ++i) {
            CAPTURE(i);
            CHECK(dials[i] - dials[i - 4] >= 3600 * 1000);
        }
    }

    TEST_CASE("backoff: the same random values give the same delays")
    {
        const BackoffPolicy p{
            .floor_ms = 2000, .ceiling_ms = 300000, .stable_after_ms = 60000, .max_dials_per_hour = 30};
        BackoffState a, b;
        for (uint32_t r : {7u, 0xdeadbeefu, 1u << 31, 42u}) {
            CAPTURE(r);
            CHECK(backoff_next(p, a, 0, r).ms == backoff_next(p, b, 0, r).ms);
        }
    }
}
