// Base64 (RFC 4648, standard alphabet, '=' padding) for the files a report page embeds as data URIs.
#pragma once
#include <string>
#include <string_view>

namespace retrain {

std::string base64_encode(std::string_view bytes);

// "data:<mime>;base64,<bytes in base64>": an <img src> that needs no file beside the page.
std::string data_uri(std::string_view mime, std::string_view bytes);

}  // namespace retrain
