// The E-model against the worked examples of docs/insights.md: every term is checked to the two
// decimals the document shows (tolerance 0.006), then R, the MOS and the score text.
#include "core/emodel.h"

#include <gtest/gtest.h>

namespace cdrd::emodel {
namespace {

constexpr double kTol = 0.006;

struct Worked {
  const char* name;
  CallMetrics metrics;
  double t;  // T = Ta = rtt/2 + 2 jitter
  double idte, idle, idd, ie_eff, r, mos;
  const char* score;
};

// docs/insights.md, "Worked examples".
const Worked kExamples[] = {
    {"A: a perfect path", {0, 0, 0}, 0, 0.00, 0.15, 0.00, 0.00, 93.21, 4.41, "4.4"},
    {"B: a good national call", {100, 5, 0.5}, 60, 1.22, 0.61, 0.00, 1.86, 89.67, 4.33, "4.3"},
    {"C: a long international path",
     {400, 30, 5},
     260,
     4.37,
     1.03,
     10.14,
     15.78,
     62.04,
     3.20,
     "3.2"},
    {"D: a congested path", {500, 40, 8}, 330, 5.15, 1.14, 17.89, 22.96, 46.21, 2.38, "2.4"},
    {"E: a broken path", {1000, 50, 30}, 600, 7.16, 1.46, 35.25, 51.72, -2.24, 1.00, "1.0"},
};

TEST(EModel, DefaultTermsMatchTheRecommendation) {
  // With every G.107 default, Ro = 94.77 and Is = 1.41, and R = 93.2 (G.107 section 7).
  const Rating r = rate(Path{});
  EXPECT_NEAR(r.ro, 94.77, kTol);
  EXPECT_NEAR(r.is, 1.41, kTol);
  EXPECT_NEAR(r.r, 93.2, 0.01);
  EXPECT_EQ(r.a, 0);
}

TEST(EModel, WorkedExamples) {
  for (const Worked& w : kExamples) {
    SCOPED_TRACE(w.name);
    const Path p = path_of(w.metrics);
    EXPECT_DOUBLE_EQ(p.mean_one_way_delay_ms, w.t);
    EXPECT_DOUBLE_EQ(p.absolute_one_way_delay_ms, w.t);
    EXPECT_DOUBLE_EQ(p.round_trip_delay_ms, 2 * w.t);
    const CallScore s = score_call(w.metrics);
    EXPECT_NEAR(s.rating.ro, 94.77, kTol);
    EXPECT_NEAR(s.rating.is, 1.41, kTol);
    EXPECT_NEAR(s.rating.idte, w.idte, kTol);
    EXPECT_NEAR(s.rating.idle, w.idle, kTol);
    EXPECT_NEAR(s.rating.idd, w.idd, kTol);
    EXPECT_NEAR(s.rating.ie_eff, w.ie_eff, kTol);
    EXPECT_NEAR(s.rating.r, w.r, kTol);
    EXPECT_NEAR(s.mos, w.mos, kTol);
    EXPECT_EQ(format_score(s.mos), w.score);
  }
}

TEST(EModel, PacketLossImpairmentIsTheG113Curve) {
  // Ie,eff = 95 Ppl / (Ppl + 25.1) for G.711 with concealment and random loss.
  auto ie_eff = [](double loss) {
    Path p;
    p.packet_loss_pct = loss;
    return rate(p).ie_eff;
  };
  EXPECT_DOUBLE_EQ(ie_eff(0), 0);
  EXPECT_NEAR(ie_eff(25.1), 47.5, 1e-9);  // half of 95 when Ppl = Bpl
  EXPECT_NEAR(ie_eff(100), 95 * 100 / 125.1, 1e-9);
  // A codec with its own impairment keeps it at zero loss.
  Path g729;
  g729.ie = 11;
  g729.bpl = 19;
  EXPECT_DOUBLE_EQ(rate(g729).ie_eff, 11);
}

TEST(EModel, DelayBelowOneHundredMillisecondsCostsNoIdd) {
  Path p;
  p.absolute_one_way_delay_ms = 100;
  EXPECT_EQ(rate(p).idd, 0);
  p.absolute_one_way_delay_ms = 200;  // X = 1: 25 ((2)^(1/6) - 3 (1 + 3^-6)^(1/6) + 2)
  EXPECT_NEAR(rate(p).idd, 25 * (1.122462 - 3 * 1.000229 + 2), 1e-3);
}

TEST(EModel, MoreImpairmentNeverRaisesTheScore) {
  double last = 5;
  for (double loss = 0; loss <= 40; loss += 2) {
    const double mos = score_call({150, 10, loss}).mos;
    EXPECT_LE(mos, last);
    last = mos;
  }
  last = 5;
  for (double rtt = 0; rtt <= 2000; rtt += 50) {
    const double mos = score_call({rtt, 5, 1}).mos;
    EXPECT_LE(mos, last + 1e-12);
    last = mos;
  }
}

TEST(EModel, RToMos) {
  EXPECT_EQ(mos_from_r(-5), 1.0);
  EXPECT_EQ(mos_from_r(0), 1.0);
  EXPECT_EQ(mos_from_r(5), 1.0);              // the polynomial gives 0.99: kept at 1
  EXPECT_NEAR(mos_from_r(50), 2.575, 1e-12);  // 1 + 1.75 - 50 * 10 * 50 * 7e-6
  EXPECT_NEAR(mos_from_r(80), 4.024, 1e-12);  // 1 + 2.8 + 80 * 20 * 20 * 7e-6
  EXPECT_NEAR(mos_from_r(100), 4.5, 1e-12);
  EXPECT_EQ(mos_from_r(120), 4.5);
}

TEST(EModel, ScoreText) {
  EXPECT_EQ(format_score(4.409), "4.4");
  EXPECT_EQ(format_score(4.25), "4.3");
  EXPECT_EQ(format_score(3.95), "4.0");
  EXPECT_EQ(format_score(0.2), "1.0");
  EXPECT_EQ(format_score(9), "4.5");
}

}  // namespace
}  // namespace cdrd::emodel
