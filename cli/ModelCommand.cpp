#include "CliCommon.h"

#include "phinet/model/ConfigJson.h"
#include "phinet/model/LayerTable.h"

#include <iostream>

namespace phinet::cli {

int runModel(const ModelArgs& args, bool json)
{
    const auto summary = summarize(args.toConfig());
    if (json)
        std::cout << toJson(summary).dump() << std::endl;
    else
        std::cout << formatLayerTable(summary);
    return Ok;
}

} // namespace phinet::cli
