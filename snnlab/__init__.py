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
from .analysis import (
    Decision,
    cv_isi,
    decision,
    fi_curve,
    isi,
    isi_all,
    lif_rate,
    mean_cv_isi,
    population_rate,
    sliding_rate,
    spike_synchrony,
    synchrony,
)
from .connectivity import Normal, Uniform
from .engine import Simulation, SizeError
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
from .plotting import (
    EXC_COLOR,
    INH_COLOR,
    kind_color,
    plot_connectivity,
    plot_currents,
    plot_degree_histogram,
    plot_fi_curve,
    plot_population_rate,
    plot_potentials,
    plot_raster,
)
from .results import Result, load

__version__ = "0.1.0"

__all__ = [
    "EXC_COLOR",
    "INH_COLOR",
    "LIF",
    "Constant",
    "Coupling",
    "Current",
    "CurrentError",
    "Decision",
    "FromArray",
    "FromFunction",
    "Network",
    "Noise",
    "Normal",
    "PerNeuron",
    "PoissonInput",
    "Population",
    "Projection",
    "Ramp",
    "Result",
    "Simulation",
    "Sine",
    "SizeError",
    "SnnlabWarning",
    "Step",
    "Uniform",
    "UniformNoise",
    "cv_isi",
    "decision",
    "fi_curve",
    "isi",
    "isi_all",
    "kind_color",
    "lif_rate",
    "load",
    "mean_cv_isi",
    "plot_connectivity",
    "plot_currents",
    "plot_degree_histogram",
    "plot_fi_curve",
    "plot_population_rate",
    "plot_potentials",
    "plot_raster",
    "population_rate",
    "sliding_rate",
    "spike_synchrony",
    "synchrony",
]
