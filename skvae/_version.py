"""The version of skvae (read by the build backend and by the file format)."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

__version__ = "0.1.0"
