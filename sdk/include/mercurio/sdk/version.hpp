#pragma once
/// @file version.hpp
/// SDK version. ABI major: a change here breaks every plugin (kernel refuses other majors).
/// ABI minor: additions only; the kernel loads plugins whose minor is not newer than its own.

#define MERCURIO_SDK_ABI_MAJOR 2
#define MERCURIO_SDK_ABI_MINOR 1
#define MERCURIO_SDK_VERSION "2.1.0"
