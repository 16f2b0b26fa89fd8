"""snnlab: networks of Leaky Integrate-and-Fire neurons for a computational neuroscience course.

Units everywhere: time ms, potential mV, current nA, resistance MΩ, capacitance nF,
rates Hz. Describe a network, run it, look at the result::

    import snnlab as sl
    net = sl.Network(dt=0.1, seed=0)
    a = net.add_population("A", n=1, kind="excitatory", current=4.0)
    b = net.add_population("B", n=1, kind="inhibitory", current=lambda t: 10.0)
    net.connect(a, b, rule="all_to_all", weight=2.0, delay=1.0)
    res = net.run(100.0)
    sl.plot_raster(res)
"""

from ._checks import SnnlabWarning
from .connectivity import Normal, Uniform
from .engine import SizeError, Simulation
from .inputs import (
    Constant,
    Current,
    CurrentError,
    FromArray,
    FromFunction,
    Noise,
    PerNeuron,
    PoissonInput,
    Ramp,
    Sine,
    Step,
    UniformNoise,
)
from .network import Coupling, Network, Population, Projection
from .neurons import LIF
from .results import Result, load

__version__ = "0.1.0"

__all__ = [
    "LIF", "Network", "Population", "Projection", "Coupling", "Simulation", "Result", "load",
    "Current", "Constant", "Step", "Ramp", "Sine", "Noise", "UniformNoise", "FromFunction", "PerNeuron",
    "FromArray", "PoissonInput", "Normal", "Uniform", "SnnlabWarning", "SizeError", "CurrentError",
]
