// Percent-decoding (RFC 3986 "%XX"), the one decoder pareto has: Delta's add
// and remove paths are URIs, and the server's route parameters are URL path
// segments; both decode the same way.
//
//   PercentDecode("a%20b%2Fc") == "a b/c";  PercentDecode("1+1") == "1+1"
#pragma once

#include <string>
#include <string_view>

namespace pareto {

// Each "%XX" (hex, either case) becomes its byte, exactly once ("%2541" ->
// "%41"). "+" stays "+" (that is form encoding, not URI encoding), and a "%"
// not followed by two hex digits is kept as it is rather than refused: a
// malformed escape in a name then fails as an unknown name, not as a crash.
std::string PercentDecode(std::string_view text);

}  // namespace pareto
