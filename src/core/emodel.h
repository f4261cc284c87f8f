// The ITU-T G.107 E-model: a transmission rating R (0-100) from the impairments of a call
// path, and its mapping to an estimated mean opinion score (MOS, 1.0-4.5). cdrd uses it for
// the quality score of Call Insights (docs/insights.md works through examples by hand).
//
// Every G.107 parameter keeps its default value (Table 2 of the Recommendation: SLR 8 dB,
// RLR 2 dB, STMR 15 dB, Ds = Dr = 3, TELR 65 dB, WEPL 110 dB, qdu 1, Nc -70 dBm0p,
// Nfor -64 dBmp, Ps = Pr = 35 dB(A), A 0, mT 100 ms, sT 1) except the ones a call's metrics
// tell: the delays T, Ta, Tr and the packet-loss impairment (Ppl with the codec's Ie, Bpl and
// BurstR). With every default, R = 93.2.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <optional>
#include <string>

namespace cdrd::emodel {

// The inputs G.107 lets vary here.
struct Path {
  double mean_one_way_delay_ms = 0;      // T: talker-echo path delay
  double absolute_one_way_delay_ms = 0;  // Ta: mouth-to-ear delay
  double round_trip_delay_ms = 0;        // Tr: the 4-wire loop, for listener echo
  double packet_loss_pct = 0;            // Ppl, 0-100
  double ie = 0;                         // the codec's equipment impairment factor
  double bpl = 25.1;                     // the codec's packet-loss robustness factor
  double burst_r = 1;                    // 1 = random loss
};

// R = Ro - Is - Id - Ie,eff + A, with its terms (Id = Idte + Idle + Idd).
struct Rating {
  double ro = 0, is = 0, idte = 0, idle = 0, idd = 0, ie_eff = 0, a = 0;
  double r = 0;
};

Rating rate(const Path& path);

// G.107 Annex B: R -> MOS. R < 0 gives 1, R > 100 gives 4.5; in between
// 1 + 0.035 R + R (R - 60)(100 - R) 7e-6, kept at 1 or above (the polynomial dips to 0.99
// for R below 6.5).
double mos_from_r(double r);

// How cdrd turns a call's metrics into a G.107 path (documented in docs/insights.md):
//   T = Ta = rtt / 2 + 2 x jitter   (a de-jitter buffer of twice the jitter adds its delay)
//   Tr = 2 T
//   G.711 with packet-loss concealment: Ie 0, Bpl 25.1 (ITU-T G.113 Appendix I), random loss.
struct CallMetrics {
  double rtt_ms = 0;
  double jitter_ms = 0;
  double packet_loss_pct = 0;
};
Path path_of(const CallMetrics& metrics);

struct CallScore {
  Rating rating;
  double mos = 1;
};
CallScore score_call(const CallMetrics& metrics);

// The score as the API shows it: one decimal, "1.0" to "4.5" (half away from zero).
std::string format_score(double mos);

}  // namespace cdrd::emodel
