// Fuzzes the parsing of untrusted request bodies: Go-compatible JSON (ParseGoJson and its writer)
// and the TokenReview decoder a webhook caller's body goes through (R14.1).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/go_json.h"
#include "api/token_review_object.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // What the parser accepts, the writer writes and the parser reads back identically.
  auto parsed = kauth::api::ParseGoJson(input);
  if (parsed) {
    const std::string written = kauth::api::WriteGoJson(*parsed, /*indent=*/false);
    auto reparsed = kauth::api::ParseGoJson(written);
    if (!reparsed) std::abort();
    if (kauth::api::WriteGoJson(*reparsed, false) != written) std::abort();
  } else if (parsed.error().message.empty()) {
    std::abort();  // every rejection explains itself
  }

  for (const std::string_view version : {"v1", "v1beta1"}) {
    auto review = kauth::api::DecodeTokenReview(input, version);
    if (review) {
      (void)kauth::api::WriteGoJson(kauth::api::TokenReviewToJson(std::move(*review)), true);
    } else if (review.error().message.empty()) {
      std::abort();
    }
  }
  return 0;
}
